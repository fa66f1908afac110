package markdown

import (
	"bytes"
	"slices"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Block is one fenced code block found in a markdown document.
type Block struct {
	// Language is the canonical language ("python", "sh", "bash", "zsh",
	// "javascript", "typescript", "ruby", "perl", "r", "go", "powershell",
	// "json", "console", ...; see CanonicalLanguage), or "" when unknown.
	Language string
	// Tag is the language word of the info string as written ("py",
	// "Python3"), "" when the block is untagged. In the pandoc and Quarto
	// styles it is the first class or bare word inside the braces
	// ("{.python}" and "{python}" give "python").
	Tag string
	// Info is the whole info string as written (backslash escapes and
	// entities are not decoded).
	Info string
	// Attributes holds the attributes of the info string, from both the
	// ```python title="x" hl_lines=2 and the pandoc ```{.python title="x"}
	// styles. Pandoc classes are joined with spaces under "class", an #id
	// is stored under "id", and a bare word maps to "". Nil when there are
	// none.
	Attributes map[string]string
	// Code is the code with container prefixes (list indentation, "> ")
	// removed, CRLF line endings turned into LF, and a trailing newline on
	// the last line as CommonMark gives it. It is "" for an empty block.
	Code string
	// Filename is the name given by a hint on the first line of the code
	// ("# filename: x.py", "// filename: x.js", "-- filename: x.sql",
	// "; filename: x.ini", "/* filename: x.c */", "<!-- filename: x.html -->"),
	// trimmed, or "" when there is none. The hint line stays in Code, as in
	// AutoGen. The name is not checked; callers must resolve it safely
	// (executors.SafeJoin).
	Filename string
	// Inferred is set when Language was inferred from the content of an
	// untagged block rather than read from its tag.
	Inferred bool
	// Runnable is true only for program languages. Unknown languages and
	// languages that are not programs (json, text, console transcripts,
	// diffs, ...) are never runnable.
	Runnable bool
	// Closed is false when the block had no closing fence and CommonMark
	// closed it at the end of its container or of the document. An LLM
	// reply cut off mid-block yields an unclosed block, whose code may be
	// incomplete.
	Closed bool
	// Start and End are the byte offsets in the source of the whole block:
	// src[Start:End] runs from the first character of the opening fence to
	// the last character of the closing fence. For an unclosed block End is
	// the end of its last line (after the line ending, if any).
	Start, End int
	// CodeStart and CodeEnd are the byte offsets of the code lines:
	// src[CodeStart:CodeEnd] runs from the first byte of the first code line
	// (after any container prefix) to the end of the last code line,
	// including its line ending. For an empty block both are the offset of
	// the line after the opening fence.
	CodeStart, CodeEnd int
}

// Extract returns all fenced code blocks of src in document order, including
// those nested in lists and block quotes. It parses src as CommonMark with
// goldmark, so indented code blocks, fences shown inside a longer fence and
// fences inside HTML blocks are not blocks. It never panics: should the
// parser fail on hostile input, Extract returns no blocks, so that no code is
// run.
func Extract(src []byte) (blocks []Block) {
	defer func() {
		if recover() != nil {
			blocks = nil
		}
	}()
	return extract(src)
}

// ExtractRunnable returns the blocks of Extract whose language is a program
// language (Block.Runnable).
func ExtractRunnable(src []byte) []Block {
	all := Extract(src)
	runnable := all[:0]
	for _, b := range all {
		if b.Runnable {
			runnable = append(runnable, b)
		}
	}
	if len(runnable) == 0 {
		return nil
	}
	return runnable
}

// fencePositions records, while goldmark parses, where each fenced code block
// opened and the line that closed it, which the AST does not keep.
type fencePositions struct {
	open  map[ast.Node]int
	close map[ast.Node]text.Segment
}

var fencePositionsKey = parser.NewContextKey()

// recordingFenceParser wraps goldmark's own fenced code block parser, so that
// CommonMark's rules (fence length, container ends, indentation) stay
// goldmark's, and only notes the positions it works on.
type recordingFenceParser struct {
	parser.BlockParser
}

func (p recordingFenceParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	_, seg := reader.PeekLine()
	offset := pc.BlockOffset()
	node, state := p.BlockParser.Open(parent, reader, pc)
	if node != nil && offset >= 0 {
		if f, ok := pc.Get(fencePositionsKey).(*fencePositions); ok {
			// The parser indexes the peeked line, which starts with
			// seg.Padding spaces standing for part of a tab.
			f.open[node] = seg.Start - seg.Padding + offset
		}
	}
	return node, state
}

func (p recordingFenceParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	_, seg := reader.PeekLine()
	state := p.BlockParser.Continue(node, reader, pc)
	if state&parser.Close != 0 {
		if f, ok := pc.Get(fencePositionsKey).(*fencePositions); ok {
			f.close[node] = seg
		}
	}
	return state
}

// MaxNesting is how deeply lists and block quotes may nest. Deeper
// containers are read as paragraph text, so a fence inside them is not a
// block. The limit keeps hostile input from making the parse quadratic:
// goldmark walks every open container on every line.
const MaxNesting = 32

// nestingLimitParser refuses to open a container (list, list item, block
// quote) deeper than MaxNesting.
type nestingLimitParser struct {
	parser.BlockParser
}

func (p nestingLimitParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	depth := 0
	for n := parent; n != nil; n = n.Parent() {
		if k := n.Kind(); k == ast.KindListItem || k == ast.KindBlockquote {
			depth++
		}
	}
	if depth >= MaxNesting {
		return nil, parser.NoChildren
	}
	return p.BlockParser.Open(parent, reader, pc)
}

// blockParser is built once; goldmark parsers keep no per-parse state and
// are safe for concurrent use.
var blockParser = sync.OnceValue(func() parser.Parser {
	fenced := parser.NewFencedCodeBlockParser()
	containers := []parser.BlockParser{parser.NewListParser(), parser.NewListItemParser(), parser.NewBlockquoteParser()}
	bps := parser.DefaultBlockParsers()
	for i, v := range bps {
		bp, ok := v.Value.(parser.BlockParser)
		switch {
		case !ok:
		case bp == fenced:
			bps[i].Value = recordingFenceParser{bp}
		case slices.Contains(containers, bp):
			bps[i].Value = nestingLimitParser{bp}
		}
	}
	// No inline parsers and no paragraph transformers: neither changes
	// where fenced code blocks are (a fence interrupts any paragraph), and
	// leaving them out keeps extraction linear. goldmark's link reference
	// definition transformer is quadratic in the number of definitions.
	return parser.NewParser(parser.WithBlockParsers(bps...))
})

func extract(src []byte) []Block {
	pos := &fencePositions{open: map[ast.Node]int{}, close: map[ast.Node]text.Segment{}}
	pc := parser.NewContext()
	pc.Set(fencePositionsKey, pos)
	doc := blockParser().Parse(text.NewReader(src), parser.WithContext(pc))

	var blocks []Block
	// Walk without recursion: deeply nested quotes or lists must not cost
	// stack.
	for n := doc.FirstChild(); n != nil; {
		if fc, ok := n.(*ast.FencedCodeBlock); ok {
			blocks = append(blocks, newBlock(src, fc, pos))
		} else if c := n.FirstChild(); c != nil {
			n = c
			continue
		}
		for n != nil && n != doc && n.NextSibling() == nil {
			n = n.Parent()
		}
		if n == nil || n == doc {
			break
		}
		n = n.NextSibling()
	}
	return blocks
}

func isFenceChar(c byte) bool { return c == '`' || c == '~' }

func newBlock(src []byte, n *ast.FencedCodeBlock, pos *fencePositions) Block {
	var b Block
	if n.Info != nil {
		b.Info = string(n.Info.Segment.Value(src))
	}
	b.Tag, b.Attributes = parseInfo(b.Info)

	lines := n.Lines()
	var code strings.Builder
	if lines.Len() > 0 {
		code.Grow(max(0, lines.At(lines.Len()-1).Stop-lines.At(0).Start+lines.Len()))
	}
	for i := range lines.Len() {
		seg := lines.At(i)
		code.Write(seg.Value(src))
	}
	b.Code = normalizeNewlines(code.String())

	b.Start = openingFence(src, n, pos)
	fence := src[b.Start]
	afterOpen := lineEnd(src, b.Start)
	if afterOpen < len(src) {
		afterOpen++ // past '\n'
	}
	if lines.Len() > 0 {
		first, last := lines.At(0), lines.At(lines.Len()-1)
		b.CodeStart, b.CodeEnd = first.Start, last.Stop
		if first.Padding > 0 && b.CodeStart > 0 && src[b.CodeStart-1] == '\t' {
			b.CodeStart-- // a tab partly kept as padding spaces
		}
	} else {
		b.CodeStart, b.CodeEnd = afterOpen, afterOpen
	}
	b.End = max(b.CodeEnd, afterOpen)
	if seg, ok := pos.close[n]; ok {
		i := min(max(seg.Start, 0), len(src))
		for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
			i++
		}
		j := i
		for j < len(src) && src[j] == fence {
			j++
		}
		if j > i {
			b.Closed = true
			b.End = j
		}
	}
	b.clamp(len(src))

	b.Filename = filenameHint(b.Code)
	b.Language, b.Runnable = CanonicalLanguage(b.Tag)
	if b.Tag == "" {
		if lang := inferLanguage(b.Code, b.Filename); lang != "" {
			b.Language, b.Runnable = CanonicalLanguage(lang)
			b.Inferred = true
		}
	}
	return b
}

// openingFence returns the offset of the first fence character of n's
// opening fence.
func openingFence(src []byte, n *ast.FencedCodeBlock, pos *fencePositions) int {
	if p, ok := pos.open[n]; ok && p >= 0 && p < len(src) && isFenceChar(src[p]) {
		return p
	}
	// Fallback should the recording parser ever be bypassed: goldmark's
	// node position is the fence's, give or take the padding of a tab.
	p := min(max(n.Pos(), 0), len(src)-1)
	for p < len(src)-1 && !isFenceChar(src[p]) && src[p] != '\n' {
		p++
	}
	for p > 0 && isFenceChar(src[p]) && src[p-1] == src[p] {
		p--
	}
	return p
}

// lineEnd returns the offset of the '\n' ending the line that holds i, or
// len(src).
func lineEnd(src []byte, i int) int {
	if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(src)
}

// clamp enforces 0 <= Start <= CodeStart <= CodeEnd <= End <= n whatever
// positions the parser reported.
func (b *Block) clamp(n int) {
	b.Start = min(max(b.Start, 0), n)
	b.CodeStart = min(max(b.CodeStart, b.Start), n)
	b.CodeEnd = min(max(b.CodeEnd, b.CodeStart), n)
	b.End = min(max(b.End, b.CodeEnd), n)
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r\n") {
		return s
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}
