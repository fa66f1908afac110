package markdown

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// want describes one expected block. Span and CodeSpan are the expected
// source slices src[Start:End] and src[CodeStart:CodeEnd], which pins the
// offsets exactly.
type want struct {
	Language, Tag, Code, Filename string
	Runnable, Inferred, Closed    bool
	Attributes                    map[string]string
	Span, CodeSpan                string
}

var extractCases = []struct {
	name string
	src  string
	want []want
}{
	{
		name: "backtick python",
		src:  "Run this:\n\n```python\nprint('hi')\n```\n\nDone.\n",
		want: []want{{Language: "python", Tag: "python", Code: "print('hi')\n", Runnable: true, Closed: true,
			Span: "```python\nprint('hi')\n```", CodeSpan: "print('hi')\n"}},
	},
	{
		name: "tilde fence",
		src:  "~~~sh\necho hi\n~~~\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "echo hi\n", Runnable: true, Closed: true,
			Span: "~~~sh\necho hi\n~~~", CodeSpan: "echo hi\n"}},
	},
	{
		name: "long fence shows a fence inside it",
		src:  "`````markdown\nHere:\n```python\nx = 1\n```\n`````\n",
		want: []want{{Language: "markdown", Tag: "markdown", Code: "Here:\n```python\nx = 1\n```\n", Closed: true,
			Span: "`````markdown\nHere:\n```python\nx = 1\n```\n`````", CodeSpan: "Here:\n```python\nx = 1\n```\n"}},
	},
	{
		name: "tilde fence shows a backtick fence",
		src:  "~~~\n```bash\nls\n```\n~~~\n",
		want: []want{{Code: "```bash\nls\n```\n", Closed: true,
			Span: "~~~\n```bash\nls\n```\n~~~", CodeSpan: "```bash\nls\n```\n"}},
	},
	{
		name: "longer closing fence closes",
		src:  "```js\nf()\n`````\nafter\n",
		want: []want{{Language: "javascript", Tag: "js", Code: "f()\n", Runnable: true, Closed: true,
			Span: "```js\nf()\n`````", CodeSpan: "f()\n"}},
	},
	{
		name: "shorter closing fence is code",
		src:  "````sh\nls\n```\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "ls\n```\n", Runnable: true,
			Span: "````sh\nls\n```\n", CodeSpan: "ls\n```\n"}},
	},
	{
		name: "other fence character does not close",
		src:  "```sh\nls\n~~~\n```\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "ls\n~~~\n", Runnable: true, Closed: true,
			Span: "```sh\nls\n~~~\n```", CodeSpan: "ls\n~~~\n"}},
	},
	{
		name: "closing fence indented with trailing spaces",
		src:  "```sh\nls\n   ```   \nx\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "ls\n", Runnable: true, Closed: true,
			Span: "```sh\nls\n   ```", CodeSpan: "ls\n"}},
	},
	{
		name: "closing fence with text after it is code",
		src:  "```sh\nls\n``` no\n```\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "ls\n``` no\n", Runnable: true, Closed: true,
			Span: "```sh\nls\n``` no\n```", CodeSpan: "ls\n``` no\n"}},
	},
	{
		name: "info string attributes",
		src:  "```python title=\"main script.py\" hl_lines=2 linenums\nx = 1\n```\n",
		want: []want{{Language: "python", Tag: "python", Code: "x = 1\n", Runnable: true, Closed: true,
			Attributes: map[string]string{"title": "main script.py", "hl_lines": "2", "linenums": ""},
			Span:       "```python title=\"main script.py\" hl_lines=2 linenums\nx = 1\n```", CodeSpan: "x = 1\n"}},
	},
	{
		name: "pandoc attributes",
		src:  "```{.python .numberLines #main title='a \"b\"'}\nx = 1\n```\n",
		want: []want{{Language: "python", Tag: "python", Code: "x = 1\n", Runnable: true, Closed: true,
			Attributes: map[string]string{"class": "python numberLines", "id": "main", "title": `a "b"`},
			Span:       "```{.python .numberLines #main title='a \"b\"'}\nx = 1\n```", CodeSpan: "x = 1\n"}},
	},
	{
		name: "markdown-it-attrs after the language",
		src:  "```js {.line-numbers data-start=3}\nf()\n```\n",
		want: []want{{Language: "javascript", Tag: "js", Code: "f()\n", Runnable: true, Closed: true,
			Attributes: map[string]string{"class": "line-numbers", "data-start": "3"},
			Span:       "```js {.line-numbers data-start=3}\nf()\n```", CodeSpan: "f()\n"}},
	},
	{
		name: "quarto and R Markdown chunks",
		src:  "```{python}\n1\n```\n\n```{r setup, echo=FALSE}\n2\n```\n",
		want: []want{
			{Language: "python", Tag: "python", Code: "1\n", Runnable: true, Closed: true,
				Span: "```{python}\n1\n```", CodeSpan: "1\n"},
			{Language: "r", Tag: "r", Code: "2\n", Runnable: true, Closed: true,
				Attributes: map[string]string{"setup": "", "echo": "FALSE"},
				Span:       "```{r setup, echo=FALSE}\n2\n```", CodeSpan: "2\n"},
		},
	},
	{
		name: "aliases keep the tag as written",
		src: "```Python3\na\n```\n```py\nb\n```\n```ipython\nc\n```\n```node\nd\n```\n" +
			"```ts\ne\n```\n```rb\nf\n```\n```pl\ng\n```\n```R\nh\n```\n```golang\ni\n```\n" +
			"```pwsh\nj\n```\n```shell\nk\n```\n```zsh\nl\n```\n```BASH\nm\n```\n",
		want: []want{
			{Language: "python", Tag: "Python3", Code: "a\n", Runnable: true, Closed: true, Span: "```Python3\na\n```", CodeSpan: "a\n"},
			{Language: "python", Tag: "py", Code: "b\n", Runnable: true, Closed: true, Span: "```py\nb\n```", CodeSpan: "b\n"},
			{Language: "python", Tag: "ipython", Code: "c\n", Runnable: true, Closed: true, Span: "```ipython\nc\n```", CodeSpan: "c\n"},
			{Language: "javascript", Tag: "node", Code: "d\n", Runnable: true, Closed: true, Span: "```node\nd\n```", CodeSpan: "d\n"},
			{Language: "typescript", Tag: "ts", Code: "e\n", Runnable: true, Closed: true, Span: "```ts\ne\n```", CodeSpan: "e\n"},
			{Language: "ruby", Tag: "rb", Code: "f\n", Runnable: true, Closed: true, Span: "```rb\nf\n```", CodeSpan: "f\n"},
			{Language: "perl", Tag: "pl", Code: "g\n", Runnable: true, Closed: true, Span: "```pl\ng\n```", CodeSpan: "g\n"},
			{Language: "r", Tag: "R", Code: "h\n", Runnable: true, Closed: true, Span: "```R\nh\n```", CodeSpan: "h\n"},
			{Language: "go", Tag: "golang", Code: "i\n", Runnable: true, Closed: true, Span: "```golang\ni\n```", CodeSpan: "i\n"},
			{Language: "powershell", Tag: "pwsh", Code: "j\n", Runnable: true, Closed: true, Span: "```pwsh\nj\n```", CodeSpan: "j\n"},
			{Language: "sh", Tag: "shell", Code: "k\n", Runnable: true, Closed: true, Span: "```shell\nk\n```", CodeSpan: "k\n"},
			{Language: "zsh", Tag: "zsh", Code: "l\n", Runnable: true, Closed: true, Span: "```zsh\nl\n```", CodeSpan: "l\n"},
			{Language: "bash", Tag: "BASH", Code: "m\n", Runnable: true, Closed: true, Span: "```BASH\nm\n```", CodeSpan: "m\n"},
		},
	},
	{
		name: "languages that are not programs are never runnable",
		src: "```json\n{}\n```\n```yml\na: 1\n```\n```text\npip install x\n```\n```console\n$ ls\n```\n" +
			"```shell-session\n$ ls\n```\n```output\n1\n```\n```diff\n-a\n```\n```sql\nselect 1;\n```\n",
		want: []want{
			{Language: "json", Tag: "json", Code: "{}\n", Closed: true, Span: "```json\n{}\n```", CodeSpan: "{}\n"},
			{Language: "yaml", Tag: "yml", Code: "a: 1\n", Closed: true, Span: "```yml\na: 1\n```", CodeSpan: "a: 1\n"},
			{Language: "text", Tag: "text", Code: "pip install x\n", Closed: true, Span: "```text\npip install x\n```", CodeSpan: "pip install x\n"},
			{Language: "console", Tag: "console", Code: "$ ls\n", Closed: true, Span: "```console\n$ ls\n```", CodeSpan: "$ ls\n"},
			{Language: "console", Tag: "shell-session", Code: "$ ls\n", Closed: true, Span: "```shell-session\n$ ls\n```", CodeSpan: "$ ls\n"},
			{Language: "output", Tag: "output", Code: "1\n", Closed: true, Span: "```output\n1\n```", CodeSpan: "1\n"},
			{Language: "diff", Tag: "diff", Code: "-a\n", Closed: true, Span: "```diff\n-a\n```", CodeSpan: "-a\n"},
			{Language: "sql", Tag: "sql", Code: "select 1;\n", Closed: true, Span: "```sql\nselect 1;\n```", CodeSpan: "select 1;\n"},
		},
	},
	{
		name: "unknown tag is not inferred",
		src:  "```brainfuck\n#!/usr/bin/env python3\n```\n",
		want: []want{{Tag: "brainfuck", Code: "#!/usr/bin/env python3\n", Closed: true,
			Span: "```brainfuck\n#!/usr/bin/env python3\n```", CodeSpan: "#!/usr/bin/env python3\n"}},
	},
	{
		name: "untagged with python shebang",
		src:  "```\n#!/usr/bin/env python3\nprint(1)\n```\n",
		want: []want{{Language: "python", Code: "#!/usr/bin/env python3\nprint(1)\n", Runnable: true, Inferred: true, Closed: true,
			Span: "```\n#!/usr/bin/env python3\nprint(1)\n```", CodeSpan: "#!/usr/bin/env python3\nprint(1)\n"}},
	},
	{
		name: "untagged shebangs",
		src: "```\n#!/bin/bash\nls\n```\n```\n#!/usr/bin/env -S node --no-warnings\nf()\n```\n" +
			"```\n#!/usr/bin/python3.12 -u\nx\n```\n```\n#!/usr/bin/make -f\nall:\n```\n",
		want: []want{
			{Language: "bash", Code: "#!/bin/bash\nls\n", Runnable: true, Inferred: true, Closed: true,
				Span: "```\n#!/bin/bash\nls\n```", CodeSpan: "#!/bin/bash\nls\n"},
			{Language: "javascript", Code: "#!/usr/bin/env -S node --no-warnings\nf()\n", Runnable: true, Inferred: true, Closed: true,
				Span: "```\n#!/usr/bin/env -S node --no-warnings\nf()\n```", CodeSpan: "#!/usr/bin/env -S node --no-warnings\nf()\n"},
			{Language: "python", Code: "#!/usr/bin/python3.12 -u\nx\n", Runnable: true, Inferred: true, Closed: true,
				Span: "```\n#!/usr/bin/python3.12 -u\nx\n```", CodeSpan: "#!/usr/bin/python3.12 -u\nx\n"},
			{Code: "#!/usr/bin/make -f\nall:\n", Closed: true,
				Span: "```\n#!/usr/bin/make -f\nall:\n```", CodeSpan: "#!/usr/bin/make -f\nall:\n"},
		},
	},
	{
		name: "untagged shell commands as AutoGen infers them",
		src:  "```\npip install numpy \\\n  pandas\npython3 analyse.py\n```\n",
		want: []want{{Language: "sh", Code: "pip install numpy \\\n  pandas\npython3 analyse.py\n", Runnable: true, Inferred: true, Closed: true,
			Span: "```\npip install numpy \\\n  pandas\npython3 analyse.py\n```", CodeSpan: "pip install numpy \\\n  pandas\npython3 analyse.py\n"}},
	},
	{
		name: "untagged python",
		src:  "```\nimport os\n\ndef main():\n    print(os.getcwd())\n```\n",
		want: []want{{Language: "python", Code: "import os\n\ndef main():\n    print(os.getcwd())\n", Runnable: true, Inferred: true, Closed: true,
			Span: "```\nimport os\n\ndef main():\n    print(os.getcwd())\n```", CodeSpan: "import os\n\ndef main():\n    print(os.getcwd())\n"}},
	},
	{
		name: "untagged and unsure stays unknown",
		src: "```\nprint('hi')\n```\n```\nThe answer is 42.\n```\n```\nimport java.util.List;\n```\n" +
			"```\nls = [1, 2]\n```\n```\n$ pip install x\n```\n",
		want: []want{
			{Code: "print('hi')\n", Closed: true, Span: "```\nprint('hi')\n```", CodeSpan: "print('hi')\n"},
			{Code: "The answer is 42.\n", Closed: true, Span: "```\nThe answer is 42.\n```", CodeSpan: "The answer is 42.\n"},
			{Code: "import java.util.List;\n", Closed: true, Span: "```\nimport java.util.List;\n```", CodeSpan: "import java.util.List;\n"},
			{Code: "ls = [1, 2]\n", Closed: true, Span: "```\nls = [1, 2]\n```", CodeSpan: "ls = [1, 2]\n"},
			{Code: "$ pip install x\n", Closed: true, Span: "```\n$ pip install x\n```", CodeSpan: "$ pip install x\n"},
		},
	},
	{
		name: "filename hints in comment styles",
		src: "```python\n# filename: app.py\nx\n```\n```js\n//filename: src/x.js\n```\n```sql\n-- filename: q.sql\n```\n" +
			"```ini\n; filename: conf.ini\n```\n```html\n<!-- filename: index.html -->\n```\n```c\n/* filename: main.c */\n```\n" +
			"```py\n# Filename: `quoted name.py`\n```\n",
		want: []want{
			{Language: "python", Tag: "python", Code: "# filename: app.py\nx\n", Filename: "app.py", Runnable: true, Closed: true,
				Span: "```python\n# filename: app.py\nx\n```", CodeSpan: "# filename: app.py\nx\n"},
			{Language: "javascript", Tag: "js", Code: "//filename: src/x.js\n", Filename: "src/x.js", Runnable: true, Closed: true,
				Span: "```js\n//filename: src/x.js\n```", CodeSpan: "//filename: src/x.js\n"},
			{Language: "sql", Tag: "sql", Code: "-- filename: q.sql\n", Filename: "q.sql", Closed: true,
				Span: "```sql\n-- filename: q.sql\n```", CodeSpan: "-- filename: q.sql\n"},
			{Language: "ini", Tag: "ini", Code: "; filename: conf.ini\n", Filename: "conf.ini", Closed: true,
				Span: "```ini\n; filename: conf.ini\n```", CodeSpan: "; filename: conf.ini\n"},
			{Language: "html", Tag: "html", Code: "<!-- filename: index.html -->\n", Filename: "index.html", Closed: true,
				Span: "```html\n<!-- filename: index.html -->\n```", CodeSpan: "<!-- filename: index.html -->\n"},
			{Language: "c", Tag: "c", Code: "/* filename: main.c */\n", Filename: "main.c", Runnable: true, Closed: true,
				Span: "```c\n/* filename: main.c */\n```", CodeSpan: "/* filename: main.c */\n"},
			{Language: "python", Tag: "py", Code: "# Filename: `quoted name.py`\n", Filename: "quoted name.py", Runnable: true, Closed: true,
				Span: "```py\n# Filename: `quoted name.py`\n```", CodeSpan: "# Filename: `quoted name.py`\n"},
		},
	},
	{
		name: "comments that are not filename hints",
		src:  "```python\n# compute primes\n```\n```python\nx = 1\n# filename: late.py\n```\n```sh\n# filename:\n```\n",
		want: []want{
			{Language: "python", Tag: "python", Code: "# compute primes\n", Runnable: true, Closed: true,
				Span: "```python\n# compute primes\n```", CodeSpan: "# compute primes\n"},
			{Language: "python", Tag: "python", Code: "x = 1\n# filename: late.py\n", Runnable: true, Closed: true,
				Span: "```python\nx = 1\n# filename: late.py\n```", CodeSpan: "x = 1\n# filename: late.py\n"},
			{Language: "sh", Tag: "sh", Code: "# filename:\n", Runnable: true, Closed: true,
				Span: "```sh\n# filename:\n```", CodeSpan: "# filename:\n"},
		},
	},
	{
		name: "untagged with a filename hint",
		src:  "```\n# filename: tool.py\nprint(1)\n```\n```\n# filename: run.sh\n#!/bin/zsh\nls\n```\n",
		want: []want{
			{Language: "python", Code: "# filename: tool.py\nprint(1)\n", Filename: "tool.py", Runnable: true, Inferred: true, Closed: true,
				Span: "```\n# filename: tool.py\nprint(1)\n```", CodeSpan: "# filename: tool.py\nprint(1)\n"},
			{Language: "zsh", Code: "# filename: run.sh\n#!/bin/zsh\nls\n", Filename: "run.sh", Runnable: true, Inferred: true, Closed: true,
				Span: "```\n# filename: run.sh\n#!/bin/zsh\nls\n```", CodeSpan: "# filename: run.sh\n#!/bin/zsh\nls\n"},
		},
	},
	{
		name: "in a bullet list",
		src:  "Steps:\n\n- Install:\n  ```sh\n  pip install x\n  ```\n- Run:\n\n  ```python\n  import x\n    x.run()\n  ```\n",
		want: []want{
			{Language: "sh", Tag: "sh", Code: "pip install x\n", Runnable: true, Closed: true,
				Span: "```sh\n  pip install x\n  ```", CodeSpan: "pip install x\n"},
			{Language: "python", Tag: "python", Code: "import x\n  x.run()\n", Runnable: true, Closed: true,
				Span: "```python\n  import x\n    x.run()\n  ```", CodeSpan: "import x\n    x.run()\n"},
		},
	},
	{
		name: "in an ordered list",
		src:  "1. First\n\n   ```bash\n   ls\n   ```\n2. Second\n",
		want: []want{{Language: "bash", Tag: "bash", Code: "ls\n", Runnable: true, Closed: true,
			Span: "```bash\n   ls\n   ```", CodeSpan: "ls\n"}},
	},
	{
		name: "in a block quote",
		src:  "> Try:\n> ```py\n> print(1)\n>\n> print(2)\n> ```\n",
		want: []want{{Language: "python", Tag: "py", Code: "print(1)\n\nprint(2)\n", Runnable: true, Closed: true,
			Span: "```py\n> print(1)\n>\n> print(2)\n> ```", CodeSpan: "print(1)\n>\n> print(2)\n"}},
	},
	{
		name: "in a list in a block quote",
		src:  "> - item\n>   ~~~ruby\n>   puts 1\n>   ~~~\n",
		want: []want{{Language: "ruby", Tag: "ruby", Code: "puts 1\n", Runnable: true, Closed: true,
			Span: "~~~ruby\n>   puts 1\n>   ~~~", CodeSpan: "puts 1\n"}},
	},
	{
		name: "block quote ends the fence, the next fence is a new block",
		src:  "> ```sh\n> ls\n```\n",
		want: []want{
			{Language: "sh", Tag: "sh", Code: "ls\n", Runnable: true, Span: "```sh\n> ls\n", CodeSpan: "ls\n"},
			{Span: "```\n", CodeSpan: ""},
		},
	},
	{
		name: "list item ends the fence",
		src:  "- ```sh\n  ls\nnot in the list\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "ls\n", Runnable: true, Span: "```sh\n  ls\n", CodeSpan: "ls\n"}},
	},
	{
		name: "fence indentation is removed from code lines",
		src:  "  ```sh\n    indented\n  two\n three\n   ```\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "  indented\ntwo\nthree\n", Runnable: true, Closed: true,
			Span: "```sh\n    indented\n  two\n three\n   ```", CodeSpan: "  indented\n  two\n three\n"}},
	},
	{
		name: "tab in list item",
		src:  "-\t```sh\n\t\techo\n\t```\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "\techo\n", Runnable: true, Closed: true,
			Span: "```sh\n\t\techo\n\t```", CodeSpan: "\techo\n"}},
	},
	{
		name: "indented code blocks are not blocks",
		src:  "Text\n\n    ```python\n    print(1)\n    ```\n\n\tcode\n",
	},
	{
		name: "backtick in a backtick info string is inline code",
		src:  "```py`x\nprint(1)\n```\n",
		want: []want{{Code: "", Span: "```\n", CodeSpan: ""}},
	},
	{
		name: "inline triple backticks are not blocks",
		src:  "Use ```print(1)``` inline.\n",
	},
	{
		name: "tilde info string may hold backticks",
		src:  "~~~ py `x`\n1\n~~~\n",
		want: []want{{Language: "python", Tag: "py", Code: "1\n", Runnable: true, Closed: true,
			Attributes: map[string]string{"`x`": ""},
			Span:       "~~~ py `x`\n1\n~~~", CodeSpan: "1\n"}},
	},
	{
		name: "fence in an HTML block is HTML",
		src:  "<div>\n```python\nprint(1)\n```\n</div>\n",
	},
	{
		name: "CRLF line endings",
		src:  "Hi\r\n\r\n```python title=x\r\n# filename: a.py\r\nprint(1)\r\n```\r\n",
		want: []want{{Language: "python", Tag: "python", Code: "# filename: a.py\nprint(1)\n", Filename: "a.py", Runnable: true, Closed: true,
			Attributes: map[string]string{"title": "x"},
			Span:       "```python title=x\r\n# filename: a.py\r\nprint(1)\r\n```", CodeSpan: "# filename: a.py\r\nprint(1)\r\n"}},
	},
	{
		name: "unclosed at the end of a cut-off reply",
		src:  "Here is the code:\n\n```python\nfor i in range(3):\n    print(i",
		want: []want{{Language: "python", Tag: "python", Code: "for i in range(3):\n    print(i\n", Runnable: true,
			Span: "```python\nfor i in range(3):\n    print(i", CodeSpan: "for i in range(3):\n    print(i"}},
	},
	{
		name: "unclosed and empty",
		src:  "```sh",
		want: []want{{Language: "sh", Tag: "sh", Runnable: true, Span: "```sh", CodeSpan: ""}},
	},
	{
		name: "empty blocks",
		src:  "```\n```\n\n~~~python\n~~~\n",
		want: []want{
			{Closed: true, Span: "```\n```", CodeSpan: ""},
			{Language: "python", Tag: "python", Runnable: true, Closed: true, Span: "~~~python\n~~~", CodeSpan: ""},
		},
	},
	{
		name: "blank lines are code",
		src:  "```sh\n\n\n```\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "\n\n", Runnable: true, Closed: true, Span: "```sh\n\n\n```", CodeSpan: "\n\n"}},
	},
	{
		name: "invalid UTF-8 is kept",
		src:  "```sh\necho \xff\xfe\n```\n",
		want: []want{{Language: "sh", Tag: "sh", Code: "echo \xff\xfe\n", Runnable: true, Closed: true,
			Span: "```sh\necho \xff\xfe\n```", CodeSpan: "echo \xff\xfe\n"}},
	},
	{
		name: "realistic reply with several blocks",
		src: "I'll first install the package, then run the script.\n\n```sh\npip install requests\n```\n\n" +
			"Now save and run:\n\n```python\n# filename: fetch.py\nimport requests\nprint(requests.get('https://example.com').status_code)\n```\n\n" +
			"Expected output:\n\n```\n200\n```\n\nTERMINATE\n",
		want: []want{
			{Language: "sh", Tag: "sh", Code: "pip install requests\n", Runnable: true, Closed: true,
				Span: "```sh\npip install requests\n```", CodeSpan: "pip install requests\n"},
			{Language: "python", Tag: "python", Code: "# filename: fetch.py\nimport requests\nprint(requests.get('https://example.com').status_code)\n",
				Filename: "fetch.py", Runnable: true, Closed: true,
				Span:     "```python\n# filename: fetch.py\nimport requests\nprint(requests.get('https://example.com').status_code)\n```",
				CodeSpan: "# filename: fetch.py\nimport requests\nprint(requests.get('https://example.com').status_code)\n"},
			{Code: "200\n", Closed: true, Span: "```\n200\n```", CodeSpan: "200\n"},
		},
	},
}

func TestExtract(t *testing.T) {
	for _, tc := range extractCases {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.src)
			blocks := Extract(src)
			checkInvariants(t, src, blocks)
			var got []want
			for _, b := range blocks {
				got = append(got, want{
					Language: b.Language, Tag: b.Tag, Code: b.Code, Filename: b.Filename,
					Runnable: b.Runnable, Inferred: b.Inferred, Closed: b.Closed, Attributes: b.Attributes,
					Span: tc.src[b.Start:b.End], CodeSpan: tc.src[b.CodeStart:b.CodeEnd],
				})
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestExtractInfoIsWrittenForm(t *testing.T) {
	blocks := Extract([]byte("```  Python3   title=\"x\"  \nx\n```\n"))
	require.Len(t, blocks, 1)
	assert.Equal(t, `Python3   title="x"`, blocks[0].Info)
	assert.Equal(t, "Python3", blocks[0].Tag)
}

func TestExtractRunnable(t *testing.T) {
	src := []byte("```json\n{}\n```\n```py\n1\n```\n```\nhello\n```\n```sh\nls\n```\n```console\n$ ls\n```\n")
	blocks := ExtractRunnable(src)
	require.Len(t, blocks, 2)
	assert.Equal(t, "python", blocks[0].Language)
	assert.Equal(t, "sh", blocks[1].Language)
	for _, b := range blocks {
		assert.True(t, b.Runnable)
	}
	assert.Empty(t, ExtractRunnable([]byte("```json\n{}\n```\n")))
	assert.Empty(t, ExtractRunnable(nil))
}

func TestExtractEmptyInput(t *testing.T) {
	assert.Empty(t, Extract(nil))
	assert.Empty(t, Extract([]byte("")))
	assert.Empty(t, Extract([]byte("just prose, no code\n")))
}

func TestExtractManyBlocks(t *testing.T) {
	const n = 5000
	var src bytes.Buffer
	for i := range n {
		if i%2 == 0 {
			src.WriteString("Some prose with `inline` code and *emphasis*.\n\n")
		}
		src.WriteString("```python\nprint(1)\n```\n")
	}
	blocks := Extract(src.Bytes())
	require.Len(t, blocks, n)
	checkInvariants(t, src.Bytes(), blocks)
	for _, b := range blocks {
		require.Equal(t, "print(1)\n", b.Code)
	}
}

func TestExtractHugeBlock(t *testing.T) {
	line := strings.Repeat("x", 1000) + "\n"
	src := []byte("```sh\n" + strings.Repeat(line, 4000)) // 4 MB, unclosed
	blocks := Extract(src)
	require.Len(t, blocks, 1)
	checkInvariants(t, src, blocks)
	assert.Len(t, blocks[0].Code, 4000*len(line))
	assert.False(t, blocks[0].Closed)
	assert.Equal(t, len(src), blocks[0].End)
}

func TestExtractDeepNesting(t *testing.T) {
	for _, prefix := range []string{"> ", ">", "- ", "1. ", "> - "} {
		perLevel := strings.Count(prefix, ">") + strings.Count(prefix, "-") + strings.Count(prefix, ".")
		nested := func(levels int) []byte {
			return []byte(strings.Repeat(prefix, levels/perLevel) + "```py\n")
		}
		blocks := Extract(nested(MaxNesting))
		require.Len(t, blocks, 1, "prefix %q at the nesting limit", prefix)
		assert.Equal(t, "py", blocks[0].Tag)

		// Deeper containers are text, so nothing in them runs, and the
		// parse stays linear however deep the input goes.
		for _, levels := range []int{MaxNesting + perLevel, 50000} {
			src := nested(levels)
			blocks := Extract(src)
			checkInvariants(t, src, blocks)
			assert.Empty(t, blocks, "prefix %q, %d levels", prefix, levels)
		}
	}
}

// checkInvariants asserts what every caller of Extract relies on, whatever
// the input.
func checkInvariants(t testing.TB, src []byte, blocks []Block) {
	t.Helper()
	prevEnd := 0
	for i, b := range blocks {
		require.True(t, 0 <= b.Start && b.Start <= b.CodeStart && b.CodeStart <= b.CodeEnd &&
			b.CodeEnd <= b.End && b.End <= len(src),
			"block %d: offsets %d %d %d %d out of order for %d bytes", i, b.Start, b.CodeStart, b.CodeEnd, b.End, len(src))
		require.GreaterOrEqual(t, b.Start, prevEnd, "block %d overlaps the previous one", i)
		prevEnd = b.End

		fence := src[b.Start]
		require.Contains(t, "`~", string(fence), "block %d does not start at a fence", i)
		open := fenceRun(src[b.Start:], fence)
		require.GreaterOrEqual(t, open, 3, "block %d: opening fence too short", i)
		if b.Closed {
			closing := 0
			for j := b.End - 1; j >= b.CodeEnd && src[j] == fence; j-- {
				closing++
			}
			require.GreaterOrEqual(t, closing, open, "block %d: span does not end with a closing fence", i)
		}
		if b.Code == "" {
			require.Equal(t, b.CodeStart, b.CodeEnd, "block %d: empty code with a non-empty code span", i)
		}
		if b.Runnable {
			require.NotEmpty(t, b.Language, "block %d: runnable without a language", i)
		}
		if b.Tag != "" {
			lang, runnable := CanonicalLanguage(b.Tag)
			require.Equal(t, lang, b.Language, "block %d", i)
			require.Equal(t, runnable, b.Runnable, "block %d", i)
			require.False(t, b.Inferred, "block %d: tagged block with an inferred language", i)
		}
		// A fence at the start of a line is in no container and not
		// indented, so its code lines are copied verbatim from the source.
		if b.Start == 0 || src[b.Start-1] == '\n' {
			raw := string(src[b.CodeStart:b.CodeEnd])
			if raw != "" && !strings.HasSuffix(raw, "\n") {
				raw += "\n" // CommonMark ends the last line at the end of input
			}
			require.Equal(t, normalizeNewlines(raw), b.Code, "block %d: code differs from its source span", i)
		}
	}
}

func fenceRun(b []byte, c byte) int {
	n := 0
	for n < len(b) && b[n] == c {
		n++
	}
	return n
}

func FuzzExtract(f *testing.F) {
	for _, tc := range extractCases {
		f.Add([]byte(tc.src))
	}
	f.Add([]byte("> ```\n>\n> x\n"))
	f.Add([]byte("- ```\r\n  a\r\n\r\n  ```"))
	f.Fuzz(func(t *testing.T, src []byte) {
		// extract, not Extract: Extract recovers from panics, which would
		// hide them from the fuzzer.
		blocks := extract(src)
		checkInvariants(t, src, blocks)
		for _, b := range blocks {
			if b.Inferred {
				require.Empty(t, b.Tag)
				require.True(t, b.Runnable, "inferred languages are programs")
			}
		}
		// Our parser leaves out inlines and paragraph transformers and
		// limits nesting; below the limit it must find exactly the blocks of
		// goldmark's default parser.
		ref, depth := referenceBlocks(src)
		if depth <= MaxNesting {
			require.Len(t, blocks, len(ref))
			for i, b := range blocks {
				require.Equal(t, ref[i].info, b.Info, "block %d", i)
				require.Equal(t, normalizeNewlines(ref[i].code), b.Code, "block %d", i)
			}
		}
	})
}

type refBlock struct{ info, code string }

// referenceBlocks returns the fenced blocks goldmark's default parser finds
// in src and how deeply its lists and block quotes nest.
func referenceBlocks(src []byte) (blocks []refBlock, maxDepth int) {
	doc := goldmark.DefaultParser().Parse(text.NewReader(src))
	depth := 0
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if k := n.Kind(); k == ast.KindListItem || k == ast.KindBlockquote {
			if entering {
				depth++
				maxDepth = max(maxDepth, depth)
			} else {
				depth--
			}
		}
		if fc, ok := n.(*ast.FencedCodeBlock); ok && entering {
			var b refBlock
			if fc.Info != nil {
				b.info = string(fc.Info.Segment.Value(src))
			}
			b.code = string(fc.Lines().Value(src))
			blocks = append(blocks, b)
		}
		return ast.WalkContinue, nil
	})
	return blocks, maxDepth
}

// The opening fence is found from goldmark's node position alone when the
// recording parser did not see the block.
func TestOpeningFenceFallback(t *testing.T) {
	p := goldmark.DefaultParser()
	for _, tc := range extractCases {
		src := []byte(tc.src)
		want := Extract(src)
		var got []int
		doc := p.Parse(text.NewReader(src))
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if fc, ok := n.(*ast.FencedCodeBlock); ok && entering {
				got = append(got, openingFence(src, fc, &fencePositions{}))
			}
			return ast.WalkContinue, nil
		})
		require.Len(t, got, len(want), tc.name)
		for i, b := range want {
			assert.Equal(t, b.Start, got[i], "%s: block %d", tc.name, i)
		}
	}
}
