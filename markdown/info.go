package markdown

import "strings"

// parseInfo splits a fence's info string into the language word and the
// attributes. It understands
//
//	python title="x" hl_lines=2      (MkDocs, markdown-it)
//	python {.numberLines title="x"}  (markdown-it-attrs)
//	{.python #id title="x"}          (pandoc)
//	{python} / {r setup, echo=FALSE} (Quarto, R Markdown)
func parseInfo(info string) (tag string, attrs map[string]string) {
	info = strings.TrimSpace(info)
	if info == "" {
		return "", nil
	}
	rest := info
	if rest[0] != '{' {
		end := strings.IndexAny(rest, " \t{")
		if end < 0 {
			end = len(rest)
		}
		tag, rest = strings.TrimRight(rest[:end], ","), rest[end:]
	}
	var classes []string
	put := func(k, v string) {
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs[k] = v
	}
	first := true
	for rest = strings.TrimLeft(rest, " \t,"); rest != ""; rest = strings.TrimLeft(rest, " \t,") {
		switch rest[0] {
		case '{', '}':
			rest = rest[1:]
			continue
		}
		var tok string
		tok, rest = nextToken(rest)
		if tok == "" {
			// Unbalanced quote or stray '=': drop one byte and go on.
			rest = rest[1:]
			continue
		}
		key, value, hasValue := strings.Cut(tok, "=")
		switch {
		case hasValue && key != "":
			put(key, unquote(value))
		case hasValue:
			// "=value" without a key carries nothing usable.
		case tok[0] == '.' && len(tok) > 1:
			classes = append(classes, tok[1:])
		case tok[0] == '#' && len(tok) > 1:
			put("id", tok[1:])
		case first && tag == "":
			// {python} and {r setup}: the first bare word is the language.
			tag = tok
		default:
			put(tok, "")
		}
		first = false
	}
	if len(classes) > 0 {
		if tag == "" {
			tag = classes[0]
		}
		put("class", strings.Join(classes, " "))
	}
	return tag, attrs
}

// nextToken returns the next attribute token of s (a word, possibly with
// key="quoted value") and what follows it.
func nextToken(s string) (tok, rest string) {
	i := 0
	for i < len(s) {
		c := s[i]
		switch c {
		case ' ', '\t', ',', '{', '}':
			return s[:i], s[i:]
		case '"', '\'':
			// Skip to the closing quote, honouring backslash escapes.
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				j++
			}
			if j >= len(s) {
				return s, ""
			}
			i = j + 1
			continue
		}
		i++
	}
	return s, ""
}

// unquote strips one pair of matching quotes; inside them a backslash
// escapes the quote character or another backslash.
func unquote(v string) string {
	if v == "" || (v[0] != '"' && v[0] != '\'') {
		return v
	}
	q := v[0]
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) && (v[i+1] == q || v[i+1] == '\\') {
			i++
			c = v[i]
		} else if c == q {
			break
		}
		b.WriteByte(c)
	}
	return b.String()
}
