package markdown

import (
	"path"
	"strings"
)

// firstLine returns the first line of code without its line ending.
func firstLine(code string) (line, rest string) {
	line, rest, _ = strings.Cut(code, "\n")
	return strings.TrimSuffix(line, "\r"), rest
}

// filenameHint reads a "filename:" hint from the first line of code, in the
// comment syntaxes LLMs use for it:
//
//	# filename: x.py    // filename: x.js    -- filename: x.sql
//	; filename: x.ini   /* filename: x.c */   <!-- filename: x.html -->
//
// Unlike AutoGen it requires the word "filename:" (in any case), so that an
// ordinary first comment such as "# compute primes" is not taken for a name.
func filenameHint(code string) string {
	line, _ := firstLine(code)
	line = strings.TrimSpace(line)
	var body string
	switch {
	case strings.HasPrefix(line, "<!--"):
		b, ok := strings.CutSuffix(line[len("<!--"):], "-->")
		if !ok {
			return ""
		}
		body = b
	case strings.HasPrefix(line, "/*"):
		b, ok := strings.CutSuffix(line[len("/*"):], "*/")
		if !ok {
			return ""
		}
		body = b
	case strings.HasPrefix(line, "//"):
		body = line[len("//"):]
	case strings.HasPrefix(line, "--"):
		body = line[len("--"):]
	case strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "#!"):
		body = line[len("#"):]
	case strings.HasPrefix(line, ";"):
		body = line[len(";"):]
	default:
		return ""
	}
	body = strings.TrimSpace(body)
	const key = "filename:"
	if len(body) < len(key) || !strings.EqualFold(body[:len(key)], key) {
		return ""
	}
	name := strings.TrimSpace(body[len(key):])
	// LLMs sometimes quote the name: `x.py`, "x.py".
	if len(name) >= 2 && strings.ContainsRune("`\"'", rune(name[0])) && name[len(name)-1] == name[0] {
		name = strings.TrimSpace(name[1 : len(name)-1])
	}
	return name
}

// inferLanguage guesses the language of an untagged block. It is
// conservative: a wrong guess could run text as a program, so it answers ""
// unless a signal is strong:
//
//   - a shebang line (#!/usr/bin/env python3, #!/bin/bash, ...);
//   - the extension of a filename hint (# filename: app.py);
//   - shell commands as AutoGen detects them (lines starting with "pip",
//     "python ", "python3 ", ...), here only when every line is one;
//   - Python-only syntax (from x import y, def f(...):, if __name__ ...)
//     with nothing that looks like another language.
func inferLanguage(code, filename string) string {
	line, rest := firstLine(code)
	if filename != "" {
		// The hint line is a comment; a shebang may follow it.
		line, _ = firstLine(rest)
	}
	if strings.HasPrefix(line, "#!") {
		return shebangLanguage(line)
	}
	if lang := extensionLanguage(filename); lang != "" {
		return lang
	}
	if looksLikeShell(code) {
		return "sh"
	}
	if looksLikePython(code) {
		return "python"
	}
	return ""
}

// shebangLanguage maps the interpreter of a shebang line to a runnable
// language, or "".
func shebangLanguage(line string) string {
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		return ""
	}
	prog := path.Base(fields[0])
	if prog == "env" {
		prog = ""
		for _, f := range fields[1:] {
			// Skip env's options (-S, -i, -u NAME is rare) and NAME=value.
			if strings.HasPrefix(f, "-") || strings.Contains(f, "=") {
				continue
			}
			prog = path.Base(f)
			break
		}
	}
	switch prog {
	case "", "env":
		return ""
	case "ts-node", "tsx":
		return "typescript"
	}
	for _, p := range []string{prog, strings.TrimRight(prog, "0123456789.-")} {
		if lang, runnable := CanonicalLanguage(p); runnable {
			return lang
		}
	}
	return ""
}

// extensionLanguage maps a file name's extension to a runnable language, or
// "" for other extensions.
func extensionLanguage(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".py":
		return "python"
	case ".sh":
		return "sh"
	case ".bash":
		return "bash"
	case ".zsh":
		return "zsh"
	case ".js", ".mjs", ".cjs":
		return "javascript"
	case ".ts", ".mts", ".cts":
		return "typescript"
	case ".rb":
		return "ruby"
	case ".pl":
		return "perl"
	case ".r":
		return "r"
	case ".go":
		return "go"
	case ".ps1":
		return "powershell"
	}
	return ""
}

// isShellCommand reports whether word is a command that makes a line a shell
// command line. Python, JavaScript and the like never start a statement with
// these words followed by a space and an argument.
func isShellCommand(word string) bool {
	switch word {
	case "pip", "pip3", "python", "python3",
		"npm", "npx", "yarn", "pnpm", "node",
		"conda", "uv", "poetry", "pipx",
		"apt", "apt-get", "brew", "sudo",
		"cd", "ls", "cat", "mkdir", "rm", "cp", "mv", "touch", "chmod", "echo", "pwd",
		"curl", "wget", "git", "export", "source",
		"go", "cargo", "make", "bash", "sh",
		"grep", "head", "tail", "wc", "which":
		return true
	}
	return false
}

// looksLikeShell reports whether every command line of code starts with a
// well-known shell command. Comment lines and continuation lines (after a
// trailing backslash) are skipped. "$ " prompts mark a transcript, which is
// not run.
func looksLikeShell(code string) bool {
	commands := 0
	continued := false
	for line := range strings.Lines(code) {
		line = strings.TrimSpace(line)
		wasContinued := continued
		continued = strings.HasSuffix(line, `\`)
		if line == "" || wasContinued || strings.HasPrefix(line, "#") {
			continue
		}
		word, args, _ := strings.Cut(line, " ")
		if !isShellCommand(word) {
			return false
		}
		// "ls = [1]" or "cat (x)" is code using the word as a name.
		if args = strings.TrimSpace(args); args != "" && strings.ContainsRune("=([:+*/%<>!,", rune(args[0])) {
			return false
		}
		if word == "go" && strings.HasPrefix(args, "func") {
			return false // a goroutine in Go code
		}
		commands++
	}
	return commands > 0
}

// looksLikePython reports whether code has a construct only Python has and
// nothing typical of the languages that share Python's look.
func looksLikePython(code string) bool {
	strong := false
	for line := range strings.Lines(code) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if notPython(line) {
			return false
		}
		if pythonOnly(line) {
			strong = true
		}
	}
	return strong
}

func pythonOnly(line string) bool {
	body := line
	if i := strings.Index(body, " #"); i >= 0 {
		body = strings.TrimSpace(body[:i])
	}
	switch {
	case strings.HasPrefix(body, "from ") && strings.Contains(body, " import ") &&
		!strings.ContainsAny(body, `"';{`):
		return true
	case strings.HasPrefix(body, "import ") && isDottedNames(body[len("import "):]):
		return true
	case (strings.HasPrefix(body, "def ") || strings.HasPrefix(body, "async def ") ||
		strings.HasPrefix(body, "class ")) && strings.HasSuffix(body, ":"):
		return true
	case strings.HasPrefix(body, "if __name__ =="):
		return true
	}
	return false
}

// isDottedNames reports whether s is a Python import list: "os",
// "numpy as np", "os, sys".
func isDottedNames(s string) bool {
	if s == "" {
		return false
	}
	for part := range strings.SplitSeq(s, ",") {
		words := strings.Fields(part)
		if len(words) != 1 && !(len(words) == 3 && words[1] == "as") {
			return false
		}
		for _, w := range []string{words[0], words[len(words)-1]} {
			for i := 0; i < len(w); i++ {
				c := w[i]
				if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
					return false
				}
			}
		}
	}
	return true
}

// notPython reports lines typical of C-like languages, Ruby, Perl, Lua, PHP
// and Go, whose presence vetoes a Python guess.
func notPython(line string) bool {
	if strings.HasSuffix(line, ";") || strings.HasSuffix(line, ") {") || line == "end" ||
		strings.HasPrefix(line, "} ") {
		return true
	}
	for _, p := range []string{
		"#include", "package ", "func ", "function ", "fn ", "let ", "const ", "var ",
		"my ", "use ", "<?php", "console.", "puts ", "local ", "end ", "public ", "private ",
		"using ", "namespace ", "import {", "import \"", "import (", "require(", "require ",
		"export ", "module ", "val ", "object ",
	} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}
