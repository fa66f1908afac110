package markdown

import "strings"

// CanonicalLanguage maps a fence's language tag to its canonical name and
// tells whether that language is a program that could be run. Matching is
// case-insensitive and ignores a leading "." (pandoc classes), surrounding
// braces and a "language-" or "lang-" prefix (HTML class names).
//
// Program languages (runnable):
//
//	python      python, py, python3, py3, python3.N, ipython, python2, py2
//	sh          sh, shell, posix
//	bash, zsh, fish, ksh
//	javascript  javascript, js, node, nodejs, mjs, cjs
//	typescript  typescript, ts, mts, cts
//	ruby        ruby, rb;  perl  perl, pl;  r  r, rscript
//	go          go, golang
//	powershell  powershell, pwsh, ps1, posh
//	batch       bat, cmd, batch
//	php, lua, julia (jl), rust (rs), c, cpp (c++, cxx, cc), csharp (cs, c#),
//	java, kotlin (kt), swift, scala, haskell (hs), elixir (ex, exs), dart,
//	groovy, tcl
//
// Languages that are not programs keep a canonical name but are never
// runnable: data and markup (json, yaml, toml, xml, html, css, csv, markdown,
// ini, ...), plain text and program output (text, output, log), diffs,
// console transcripts (console, shell-session, pycon: they mix commands with
// their output and prompts, so running them is wrong), build and container
// files (dockerfile, makefile), and sql, which needs a database that the
// executors do not provide.
//
// An unknown tag gives ("", false).
func CanonicalLanguage(tag string) (lang string, runnable bool) {
	t := strings.ToLower(strings.TrimSpace(tag))
	t = strings.Trim(t, "{}")
	t = strings.TrimPrefix(t, ".")
	t = strings.TrimPrefix(t, "language-")
	t = strings.TrimPrefix(t, "lang-")
	switch t {
	// Programs.
	case "python", "py", "python3", "py3", "ipython", "ipython3", "python2", "py2":
		return "python", true
	case "sh", "shell", "posix":
		return "sh", true
	case "bash":
		return "bash", true
	case "zsh":
		return "zsh", true
	case "fish":
		return "fish", true
	case "ksh":
		return "ksh", true
	case "javascript", "js", "node", "nodejs", "mjs", "cjs":
		return "javascript", true
	case "typescript", "ts", "mts", "cts":
		return "typescript", true
	case "ruby", "rb":
		return "ruby", true
	case "perl", "pl", "perl5":
		return "perl", true
	case "r", "rscript":
		return "r", true
	case "go", "golang":
		return "go", true
	case "powershell", "pwsh", "ps1", "posh":
		return "powershell", true
	case "bat", "cmd", "batch":
		return "batch", true
	case "php":
		return "php", true
	case "lua":
		return "lua", true
	case "julia", "jl":
		return "julia", true
	case "rust", "rs":
		return "rust", true
	case "c":
		return "c", true
	case "cpp", "c++", "cxx", "cc":
		return "cpp", true
	case "csharp", "cs", "c#":
		return "csharp", true
	case "java":
		return "java", true
	case "kotlin", "kt":
		return "kotlin", true
	case "swift":
		return "swift", true
	case "scala":
		return "scala", true
	case "haskell", "hs":
		return "haskell", true
	case "elixir", "ex", "exs":
		return "elixir", true
	case "dart":
		return "dart", true
	case "groovy":
		return "groovy", true
	case "tcl":
		return "tcl", true

	// Not programs.
	case "markdown", "md":
		return "markdown", false
	case "json", "jsonc", "json5", "jsonl", "ndjson":
		return "json", false
	case "yaml", "yml":
		return "yaml", false
	case "toml":
		return "toml", false
	case "xml", "svg", "xsd", "xsl":
		return "xml", false
	case "html", "htm", "xhtml":
		return "html", false
	case "css", "scss", "sass", "less":
		return "css", false
	case "csv":
		return "csv", false
	case "tsv":
		return "tsv", false
	case "text", "txt", "plaintext", "plain", "none", "nohighlight":
		return "text", false
	case "output", "out", "result", "stdout", "stderr":
		return "output", false
	case "log", "logs":
		return "log", false
	case "diff", "patch", "udiff":
		return "diff", false
	case "console", "shell-session", "shellsession", "terminal", "sh-session", "bash-session":
		return "console", false
	case "pycon", "python-console", "pyrepl", "python-repl", "doctest":
		return "pycon", false
	case "ini", "cfg", "conf", "config", "properties", "env", "dotenv":
		return "ini", false
	case "sql", "mysql", "postgresql", "postgres", "psql", "sqlite", "plsql":
		return "sql", false
	case "dockerfile", "docker", "containerfile":
		return "dockerfile", false
	case "makefile", "make", "mk":
		return "makefile", false
	case "tex", "latex":
		return "latex", false
	case "rst", "restructuredtext":
		return "rst", false
	case "mermaid", "plantuml", "dot", "graphviz":
		return t, false
	case "graphql", "gql":
		return "graphql", false
	case "proto", "protobuf":
		return "protobuf", false
	case "http", "nginx", "apache", "regex", "gitignore", "requirements", "pip-requirements":
		return t, false
	}
	// python3.11, python3.12, ...
	if v, ok := strings.CutPrefix(t, "python3."); ok && v != "" && strings.Trim(v, "0123456789") == "" {
		return "python", true
	}
	return "", false
}
