// Package markdown extracts fenced code blocks from the CommonMark replies of
// LLMs, for the code-executor agent to run.
//
// Blocks are found by parsing the reply with goldmark and walking its syntax
// tree, never by matching patterns over the text, so they are exactly the
// blocks a CommonMark renderer shows: backtick and tilde fences of any length,
// blocks nested in lists and block quotes, and unclosed fences, which end with
// their container. Indented code blocks, a fence shown inside a longer fence,
// and fences inside raw HTML blocks are not blocks.
//
// For each block Extract reports the language (canonical, through
// CanonicalLanguage, or inferred conservatively for untagged blocks), the
// info string and its attributes, the code, a "# filename: x.py" hint from the
// first line, whether the language is a program (Runnable), whether the block
// was closed, and its byte offsets in the source, which let a caller quote or
// replace a block in the original reply. The offsets always satisfy
//
//	0 <= Start <= CodeStart <= CodeEnd <= End <= len(src)
//
// Extract accepts any bytes: CRLF line endings, invalid UTF-8 and very long
// input are handled, and it never panics. Its cost stays linear in the size
// of the input: lists and block quotes nested deeper than MaxNesting are read
// as text, and the parts of goldmark that cannot change where code blocks are
// (inline parsing, link reference definitions) are left out.
package markdown
