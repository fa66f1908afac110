package openaitest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Response is one scripted answer of the server: either a completion
// (Content and/or ToolCalls), an OpenAI-style error (Status other than 0 or
// 200), or a transport fault (DropConnection, DropAfterChunks, Garbage).
//
// A Response marshals to and from JSON so that a recorded session can be
// stored as a file and replayed with [Replay] and [ReadReplay]. Field names
// are the snake_case json tags below. Durations (retry_after, delay,
// chunk_delay) are written as Go duration strings such as "250ms" or "1.5s";
// when reading, a bare JSON number is also accepted and taken as
// milliseconds. Zero fields are omitted.
type Response struct {
	// Content is the assistant's text. In a stream it is sent as several
	// deltas (one per word) so that consumers see tokens arrive.
	Content string `json:"content,omitempty"`
	// ToolCalls are the function calls the assistant makes. A call without
	// an ID gets a generated one ("call_1", "call_2", ... per server).
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// FinishReason defaults to "tool_calls" when ToolCalls is set, else "stop".
	FinishReason string `json:"finish_reason,omitempty"`
	// Usage is reported as given; when all of it is zero a rough estimate
	// from the text lengths (about four bytes a token) is reported instead.
	Usage Usage `json:"usage,omitzero"`
	// Model overrides the model named in the reply; by default the
	// request's model is echoed.
	Model string `json:"model,omitempty"`
	// Headers are extra response headers, e.g. x-ratelimit-remaining-requests.
	Headers map[string]string `json:"headers,omitempty"`

	// Status, when neither 0 nor 200, makes the reply an error in OpenAI's
	// format {"error":{"message","type","param","code"}} with this HTTP
	// status. ErrorMessage, ErrorType and ErrorCode fill the body; empty
	// ones get defaults that suit the status (e.g. 429 gives type
	// "requests" and code "rate_limit_exceeded").
	Status       int    `json:"status,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
	ErrorType    string `json:"error_type,omitempty"`
	ErrorCode    string `json:"error_code,omitempty"`
	// RetryAfter sets the Retry-After header in whole seconds (rounded up)
	// and retry-after-ms in milliseconds. Meant for Status 429 or 503.
	RetryAfter time.Duration `json:"retry_after,omitempty"`

	// Delay is waited before anything is written. The wait ends early when
	// the client gives up (its context is cancelled) or the server closes.
	Delay time.Duration `json:"delay,omitempty"`
	// ChunkDelay is waited between server-sent events when streaming.
	ChunkDelay time.Duration `json:"chunk_delay,omitempty"`
	// DropConnection closes the TCP connection without writing anything,
	// so the client sees a transport error (EOF / connection reset).
	DropConnection bool `json:"drop_connection,omitempty"`
	// DropAfterChunks, when positive and the request streams, closes the
	// connection after that many events, without the terminating
	// [DONE] event and without ending the chunked body: a mid-stream drop.
	DropAfterChunks int `json:"drop_after_chunks,omitempty"`
	// Garbage, when not empty, is written as-is as a 200 body with
	// Content-Type application/json (e.g. malformed JSON).
	Garbage string `json:"garbage,omitempty"`
}

// ToolCall is a function call made by the assistant. It marshals to
// OpenAI's wire shape {"id","type":"function","function":{"name","arguments"}};
// the flat shape {"id","name","arguments"} is accepted when reading.
type ToolCall struct {
	ID string
	// Type is "function" when empty.
	Type string
	Name string
	// Arguments is the JSON text of the arguments, as OpenAI sends it.
	Arguments string
}

type wireFunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type wireToolCall struct {
	ID       string           `json:"id"`
	Type     string           `json:"type"`
	Function wireFunctionCall `json:"function"`
}

// MarshalJSON writes the OpenAI wire shape.
func (c ToolCall) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireToolCall{
		ID:       c.ID,
		Type:     c.typ(),
		Function: wireFunctionCall{Name: c.Name, Arguments: c.Arguments},
	})
}

// UnmarshalJSON reads the OpenAI wire shape or the flat shape.
func (c *ToolCall) UnmarshalJSON(data []byte) error {
	var v struct {
		ID       string            `json:"id"`
		Type     string            `json:"type"`
		Function *wireFunctionCall `json:"function"`
		Name     string            `json:"name"`
		Args     string            `json:"arguments"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("openaitest: tool call: %w", err)
	}
	*c = ToolCall{ID: v.ID, Type: v.Type, Name: v.Name, Arguments: v.Args}
	if v.Function != nil {
		c.Name, c.Arguments = v.Function.Name, v.Function.Arguments
	}
	return nil
}

func (c ToolCall) typ() string {
	if c.Type == "" {
		return "function"
	}
	return c.Type
}

// Usage is the token accounting of a completion.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// jsonDuration is a time.Duration written as a Go duration string and read
// from either such a string or a number of milliseconds.
type jsonDuration time.Duration

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *jsonDuration) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("openaitest: duration %q: want a Go duration such as \"250ms\" or a number of milliseconds: %w", s, err)
		}
		*d = jsonDuration(v)
		return nil
	}
	var ms float64
	if err := json.Unmarshal(data, &ms); err != nil {
		return fmt.Errorf("openaitest: duration %s: want a Go duration string such as \"250ms\" or a number of milliseconds", data)
	}
	*d = jsonDuration(ms * float64(time.Millisecond))
	return nil
}

// responseAlias has Response's fields without its methods, so that the
// duration fields can be shadowed by jsonDuration ones of the same name.
type responseAlias Response

type responseJSON struct {
	*responseAlias
	RetryAfter jsonDuration `json:"retry_after,omitempty"`
	Delay      jsonDuration `json:"delay,omitempty"`
	ChunkDelay jsonDuration `json:"chunk_delay,omitempty"`
}

// MarshalJSON writes durations as Go duration strings.
func (r Response) MarshalJSON() ([]byte, error) {
	return json.Marshal(responseJSON{
		responseAlias: (*responseAlias)(&r),
		RetryAfter:    jsonDuration(r.RetryAfter),
		Delay:         jsonDuration(r.Delay),
		ChunkDelay:    jsonDuration(r.ChunkDelay),
	})
}

// UnmarshalJSON reads durations as Go duration strings or milliseconds.
func (r *Response) UnmarshalJSON(data []byte) error {
	v := responseJSON{responseAlias: (*responseAlias)(r)}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	r.RetryAfter = time.Duration(v.RetryAfter)
	r.Delay = time.Duration(v.Delay)
	r.ChunkDelay = time.Duration(v.ChunkDelay)
	return nil
}

func (r Response) isError() bool {
	return r.Status != 0 && r.Status != http.StatusOK
}

func (r Response) finishReason() string {
	switch {
	case r.FinishReason != "":
		return r.FinishReason
	case len(r.ToolCalls) > 0:
		return "tool_calls"
	default:
		return "stop"
	}
}

// usageFor returns the scripted usage or, when it is all zero, a rough
// estimate in the spirit of OpenAI's accounting (a few tokens of overhead
// per message, about four bytes a token).
func (r Response) usageFor(req Request) Usage {
	u := r.Usage
	if u == (Usage{}) {
		u.PromptTokens = 3
		for _, m := range req.Messages {
			u.PromptTokens += 4 + estimateTokens(m.Role) + estimateTokens(m.Name) + estimateTokens(m.Content)
			for _, c := range m.ToolCalls {
				u.PromptTokens += estimateTokens(c.Name) + estimateTokens(c.Arguments)
			}
		}
		u.CompletionTokens = estimateTokens(r.Content)
		for _, c := range r.ToolCalls {
			u.CompletionTokens += 3 + estimateTokens(c.Name) + estimateTokens(c.Arguments)
		}
		u.CompletionTokens = max(u.CompletionTokens, 1)
	}
	if u.TotalTokens == 0 {
		u.TotalTokens = u.PromptTokens + u.CompletionTokens
	}
	return u
}

func estimateTokens(s string) int {
	return (len(s) + 3) / 4
}

// errorDefaults gives the type, code and message OpenAI uses for a status.
func errorDefaults(status int) (typ, code, msg string) {
	switch status {
	case http.StatusBadRequest:
		return "invalid_request_error", "", "openaitest: scripted bad request"
	case http.StatusUnauthorized:
		return "invalid_request_error", "invalid_api_key", "openaitest: scripted incorrect API key"
	case http.StatusForbidden:
		return "invalid_request_error", "unsupported_country_region_territory", "openaitest: scripted forbidden"
	case http.StatusNotFound:
		return "invalid_request_error", "model_not_found", "openaitest: scripted not found"
	case http.StatusTooManyRequests:
		return "requests", "rate_limit_exceeded", "openaitest: scripted rate limit reached, retry after the Retry-After header"
	case http.StatusServiceUnavailable:
		return "server_error", "", "openaitest: scripted overload, the engine is currently overloaded"
	}
	if status >= 500 {
		return "server_error", "", "openaitest: scripted server error"
	}
	return "invalid_request_error", "", fmt.Sprintf("openaitest: scripted error with status %d", status)
}

func setRetryAfter(h http.Header, d time.Duration) {
	if d <= 0 {
		return
	}
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
	h.Set("Retry-After-Ms", strconv.FormatInt(d.Milliseconds(), 10))
}
