package terminal

import (
	"fmt"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// Highlight returns code with line numbers and, when color is set, ANSI
// syntax highlighting for lang (a canonical name such as "python" or "sh";
// unknown languages are guessed from the code, else shown plain).
func Highlight(code, lang string, color bool) string {
	code = strings.TrimRight(code, "\n")
	width := len(fmt.Sprint(strings.Count(code, "\n") + 1))
	var b strings.Builder
	number := func(i int) {
		n := fmt.Sprintf("%*d │ ", width, i)
		if color {
			n = "\x1b[2m" + n + "\x1b[0m"
		}
		b.WriteString(n)
	}
	if !color {
		for i, line := range strings.Split(code, "\n") {
			number(i + 1)
			b.WriteString(line)
			b.WriteByte('\n')
		}
		return b.String()
	}
	lexer := lexers.Get(lang)
	if lexer == nil {
		lexer = lexers.Analyse(code)
	}
	if lexer == nil {
		lexer = lexers.Fallback
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, code+"\n")
	if err != nil {
		return Highlight(code, lang, false)
	}
	style := styles.Get("monokai")
	f := formatters.TTY256
	for i, line := range chroma.SplitTokensIntoLines(it.Tokens()) {
		number(i + 1)
		if err := f.Format(&b, style, chroma.Literator(line...)); err != nil {
			return Highlight(code, lang, false)
		}
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	b.WriteString("\x1b[0m")
	return b.String()
}
