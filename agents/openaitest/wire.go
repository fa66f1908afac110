package openaitest

import (
	"encoding/json"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The wire types below follow OpenAI's chat completions API as documented
// in its API reference; fields OpenAI sends as null are kept (as nil
// pointers) so that strict decoders see the same shape as in production.

const systemFingerprint = "fp_openaitest"

type wireCompletion struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint"`
	Choices           []wireChoice `json:"choices"`
	Usage             Usage        `json:"usage"`
}

type wireChoice struct {
	Index        int             `json:"index"`
	Message      wireMessage     `json:"message"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason string          `json:"finish_reason"`
}

type wireMessage struct {
	Role      string     `json:"role"`
	Content   *string    `json:"content"`
	Refusal   *string    `json:"refusal"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
}

type wireChunk struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Created           int64             `json:"created"`
	Model             string            `json:"model"`
	SystemFingerprint string            `json:"system_fingerprint"`
	Choices           []wireChunkChoice `json:"choices"`
	// Usage is omitted unless the request asked for it; then it is null in
	// every chunk but the last, as OpenAI does.
	Usage any `json:"usage,omitempty"`
}

type wireChunkChoice struct {
	Index        int             `json:"index"`
	Delta        wireDelta       `json:"delta"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
}

type wireDelta struct {
	Role      string              `json:"role,omitempty"`
	Content   *string             `json:"content,omitempty"`
	ToolCalls []wireToolCallDelta `json:"tool_calls,omitempty"`
}

type wireToolCallDelta struct {
	Index    int               `json:"index"`
	ID       string            `json:"id,omitempty"`
	Type     string            `json:"type,omitempty"`
	Function wireFunctionDelta `json:"function"`
}

type wireFunctionDelta struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type wireError struct {
	Error wireErrorBody `json:"error"`
}

type wireErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

type wireModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

type wireModelList struct {
	Object string      `json:"object"`
	Data   []wireModel `json:"data"`
}

var jsonNull = json.RawMessage("null")

// writeJSON writes v with status. Encoding our own wire types cannot fail.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes an error in OpenAI's format; an empty code is null.
func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	body := wireErrorBody{Message: msg, Type: typ}
	if code != "" {
		body.Code = &code
	}
	writeJSON(w, status, wireError{Error: body})
}

// splitWords cuts s into pieces of one word each, every piece carrying the
// white space before its word, so that the pieces concatenate back to s.
func splitWords(s string) []string {
	var pieces []string
	start, inWord := 0, false
	for i, r := range s {
		space := unicode.IsSpace(r)
		if space && inWord {
			pieces = append(pieces, s[start:i])
			start = i
		}
		inWord = !space
	}
	if start < len(s) {
		if !inWord && len(pieces) > 0 && strings.TrimSpace(s[start:]) == "" {
			// Trailing white space rides on the last word.
			pieces[len(pieces)-1] += s[start:]
		} else {
			pieces = append(pieces, s[start:])
		}
	}
	return pieces
}

// splitRunes cuts s into pieces of at most n runes, as OpenAI streams
// function arguments in small token-sized fragments.
func splitRunes(s string, n int) []string {
	var pieces []string
	for len(s) > 0 {
		end, count := 0, 0
		for end < len(s) && count < n {
			_, size := utf8.DecodeRuneInString(s[end:])
			end += size
			count++
		}
		pieces = append(pieces, s[:end])
		s = s[end:]
	}
	return pieces
}

// argumentFragmentRunes is the size of the argument fragments of streamed
// tool calls; small enough that even short arguments arrive in pieces.
const argumentFragmentRunes = 8

// streamChunks builds the events of a streamed completion: a role chunk,
// content deltas word by word, tool-call deltas (a header delta with id,
// type, name and empty arguments, then argument fragments carrying only the
// index), a finish chunk, and a usage chunk with no choices when asked for.
func streamChunks(base wireChunk, resp Response, usage Usage, includeUsage bool) []wireChunk {
	var chunks []wireChunk
	add := func(d wireDelta, finish *string) {
		c := base
		c.Choices = []wireChunkChoice{{Delta: d, Logprobs: jsonNull, FinishReason: finish}}
		if includeUsage {
			c.Usage = jsonNull
		}
		chunks = append(chunks, c)
	}

	empty := ""
	first := wireDelta{Role: "assistant"}
	if resp.Content != "" || len(resp.ToolCalls) == 0 {
		first.Content = &empty
	}
	add(first, nil)

	for _, p := range splitWords(resp.Content) {
		add(wireDelta{Content: &p}, nil)
	}
	for i, tc := range resp.ToolCalls {
		add(wireDelta{ToolCalls: []wireToolCallDelta{{
			Index:    i,
			ID:       tc.ID,
			Type:     tc.typ(),
			Function: wireFunctionDelta{Name: tc.Name},
		}}}, nil)
		for _, frag := range splitRunes(tc.Arguments, argumentFragmentRunes) {
			add(wireDelta{ToolCalls: []wireToolCallDelta{{
				Index:    i,
				Function: wireFunctionDelta{Arguments: frag},
			}}}, nil)
		}
	}
	finish := resp.finishReason()
	add(wireDelta{}, &finish)

	if includeUsage {
		c := base
		c.Choices = []wireChunkChoice{}
		c.Usage = usage
		chunks = append(chunks, c)
	}
	return chunks
}
