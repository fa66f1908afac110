package markdown

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCanonicalLanguage(t *testing.T) {
	tests := []struct {
		tags     []string
		lang     string
		runnable bool
	}{
		{[]string{"python", "py", "python3", "py3", "ipython", "Python", "PY3", " python ", "python3.12", ".python", "{python}", "language-python"}, "python", true},
		{[]string{"sh", "shell", "SHELL"}, "sh", true},
		{[]string{"bash", "Bash"}, "bash", true},
		{[]string{"zsh"}, "zsh", true},
		{[]string{"js", "javascript", "node", "nodejs", "JavaScript"}, "javascript", true},
		{[]string{"ts", "typescript"}, "typescript", true},
		{[]string{"rb", "ruby"}, "ruby", true},
		{[]string{"pl", "perl"}, "perl", true},
		{[]string{"r", "R", "Rscript"}, "r", true},
		{[]string{"go", "golang"}, "go", true},
		{[]string{"powershell", "pwsh", "ps1"}, "powershell", true},
		{[]string{"c++", "cpp"}, "cpp", true},

		// Transcripts mix commands, prompts and output: not programs.
		{[]string{"console", "shell-session", "terminal"}, "console", false},
		{[]string{"pycon"}, "pycon", false},
		{[]string{"markdown", "md"}, "markdown", false},
		{[]string{"json", "jsonc"}, "json", false},
		{[]string{"yaml", "yml"}, "yaml", false},
		{[]string{"toml"}, "toml", false},
		{[]string{"xml"}, "xml", false},
		{[]string{"html"}, "html", false},
		{[]string{"csv"}, "csv", false},
		{[]string{"text", "txt", "plaintext"}, "text", false},
		{[]string{"output"}, "output", false},
		{[]string{"log"}, "log", false},
		{[]string{"diff", "patch"}, "diff", false},
		{[]string{"ini", "cfg"}, "ini", false},
		{[]string{"sql", "postgresql"}, "sql", false},
		{[]string{"dockerfile"}, "dockerfile", false},
		{[]string{"makefile"}, "makefile", false},

		{[]string{"", "brainfuck", "python3.x", "pythonic", "shellscript?", "\xff"}, "", false},
	}
	for _, tt := range tests {
		for _, tag := range tt.tags {
			lang, runnable := CanonicalLanguage(tag)
			assert.Equal(t, tt.runnable, runnable, "tag %q", tag)
			assert.Equal(t, tt.lang, lang, "tag %q", tag)
		}
	}
}

// Canonical names map to themselves, so CanonicalLanguage can be applied to
// a Block's Language again (as executors do) without changing it.
func TestCanonicalLanguageIsIdempotent(t *testing.T) {
	for _, tag := range []string{"py", "sh", "shell", "bash", "js", "ts", "rb", "pl", "R", "golang", "pwsh",
		"yml", "md", "txt", "console", "shell-session", "patch", "cfg", "sql", "c++", "cs", "kt", "hs", "bat"} {
		lang, runnable := CanonicalLanguage(tag)
		again, runnableAgain := CanonicalLanguage(lang)
		assert.Equal(t, lang, again, "tag %q", tag)
		assert.Equal(t, runnable, runnableAgain, "tag %q", tag)
	}
}

func TestParseInfo(t *testing.T) {
	tests := []struct {
		info  string
		tag   string
		attrs map[string]string
	}{
		{"", "", nil},
		{"python", "python", nil},
		{"python,", "python", nil},
		{`python title="a b" hl_lines="1 2" linenums`, "python", map[string]string{"title": "a b", "hl_lines": "1 2", "linenums": ""}},
		{`py title='it\'s'`, "py", map[string]string{"title": "it's"}},
		{`py title="C:\dir"`, "py", map[string]string{"title": `C:\dir`}},
		{`{.python #id .x key=v}`, "python", map[string]string{"class": "python x", "id": "id", "key": "v"}},
		{`{python}`, "python", nil},
		{`{r label, echo=FALSE}`, "r", map[string]string{"label": "", "echo": "FALSE"}},
		{`js{.a}`, "js", map[string]string{"class": "a"}},
		{`sh {data-x="1"}`, "sh", map[string]string{"data-x": "1"}},
		{`py title="unterminated`, "py", map[string]string{"title": "unterminated"}},
		{`py =x {} }{ ,,`, "py", nil},
	}
	for _, tt := range tests {
		tag, attrs := parseInfo(tt.info)
		assert.Equal(t, tt.tag, tag, "info %q", tt.info)
		assert.Equal(t, tt.attrs, attrs, "info %q", tt.info)
	}
}

func TestFilenameHint(t *testing.T) {
	tests := map[string]string{
		"# filename: a.py\nx":             "a.py",
		"#filename:a.py":                  "a.py",
		"  # FILENAME:  dir/a b.py  \r\n": "dir/a b.py",
		"// filename: x.js":               "x.js",
		"-- filename: q.sql":              "q.sql",
		"; filename: c.ini":               "c.ini",
		"/* filename: m.c */":             "m.c",
		"<!-- filename: i.html -->":       "i.html",
		"# filename: \"q.py\"":            "q.py",
		"# filename: 'q.py'":              "q.py",

		"":                          "",
		"# a comment":               "",
		"# file: a.py":              "",
		"#!/bin/sh filename: x":     "",
		"x = 1 # filename: a.py":    "",
		"<!-- filename: i.html":     "",
		"/* filename: m.c":          "",
		"# filename:":               "",
		"# filename: ``":            "",
		"\n# filename: second.py":   "",
		"print('# filename: a.py')": "",
	}
	for code, name := range tests {
		assert.Equal(t, name, filenameHint(code), "code %q", code)
	}
}

func TestInferLanguage(t *testing.T) {
	tests := []struct {
		code, filename, lang string
	}{
		{"#!/usr/bin/env python3\n", "", "python"},
		{"#!/usr/bin/env -S python3 -u\n", "", "python"},
		{"#!/usr/local/bin/python3.11\n", "", "python"},
		{"#!/bin/sh\n", "", "sh"},
		{"#!/bin/bash -e\n", "", "bash"},
		{"#!/usr/bin/env node\n", "", "javascript"},
		{"#!/usr/bin/env ts-node\n", "", "typescript"},
		{"#!/usr/bin/perl -w\n", "", "perl"},
		{"#!/usr/bin/env ruby\n", "", "ruby"},
		{"#!/usr/bin/env Rscript\n", "", "r"},
		{"#!/usr/bin/env pwsh\n", "", "powershell"},
		{"#!/usr/bin/env\n", "", ""},
		{"#!\n", "", ""},
		{"#!/usr/bin/awk -f\n", "", ""},
		{"# filename: a.sh\n#!/bin/bash\n", "a.sh", "bash"},
		{"# filename: a.py\nx\n", "a.py", "python"},
		{"# filename: a.txt\npip install x\n", "a.txt", "sh"},
		{"# filename: data.json\n{}\n", "data.json", ""},

		{"pip install numpy\n", "", "sh"},
		{"python3 script.py\n", "", "sh"},
		{"python -m venv .venv\nsource .venv/bin/activate\n", "", "sh"},
		{"# install\npip install x \\\n    --upgrade\n", "", "sh"},
		{"go run .\n", "", "sh"},
		{"go func() {}()\n", "", ""},
		{"pip = 3\n", "", ""},
		{"cat (x)\n", "", ""},
		{"pip install x\nprint('done')\n", "", ""},
		{"$ pip install x\n", "", ""},
		{"# just a comment\n", "", ""},

		{"from pathlib import Path\nprint(Path.cwd())\n", "", "python"},
		{"import numpy as np, os\n", "", "python"},
		{"def f(x):\n    return x\n", "", "python"},
		{"class A:\n    pass\n", "", "python"},
		{"if __name__ == \"__main__\":\n    main()\n", "", "python"},
		{"data = {\n  'a': 1,\n}\nimport json\n", "", "python"},
		{"print('hi')\n", "", ""},
		{"x = 1\n", "", ""},
		{"import java.util.List;\n", "", ""},
		{"import kotlin.math.PI\nfun main() {}\nval x = 1\n", "", ""},
		{"import \"fmt\"\n", "", ""},
		{"import { x } from './x'\n", "", ""},
		{"package main\nimport os\n", "", ""},
		{"def f(x)\n  x\nend\n", "", ""},
		{"from x import y\nconsole.log(1)\n", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.lang, inferLanguage(tt.code, tt.filename), "code %q", tt.code)
	}
}
