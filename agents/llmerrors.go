package agents

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Errors a model call can end with. Match them with errors.Is; an
// *APIError carries the details (status, code, Retry-After).
var (
	// ErrUnauthorized: the endpoint refused the API key (HTTP 401).
	ErrUnauthorized = errors.New("the endpoint refused the API key")
	// ErrModelNotFound: the model does not exist or the key cannot use it
	// (HTTP 404).
	ErrModelNotFound = errors.New("the model was not found")
	// ErrContextLength: the conversation no longer fits the model's
	// context window. Retrying the same request cannot succeed.
	ErrContextLength = errors.New("the conversation exceeds the model's context length")
	// ErrRateLimited: the endpoint asked us to slow down (HTTP 429).
	ErrRateLimited = errors.New("rate limited")
	// ErrServer: the endpoint failed (HTTP 5xx, or an error sent in a stream).
	ErrServer = errors.New("the endpoint failed")
	// ErrTimeout: one attempt took longer than the request timeout.
	ErrTimeout = errors.New("the request timed out")
	// ErrConnection: the connection failed or broke (refused, reset, EOF).
	ErrConnection = errors.New("the connection to the endpoint failed")
	// ErrMalformedReply: the endpoint's answer could not be decoded.
	ErrMalformedReply = errors.New("the endpoint sent a malformed reply")
	// ErrEmptyReply: the model answered with neither content nor tool calls.
	ErrEmptyReply = errors.New("openai: the model returned an empty reply")
)

// APIError is a failure reported by the endpoint, with its HTTP status. It
// matches ErrUnauthorized, ErrModelNotFound, ErrContextLength,
// ErrRateLimited or ErrServer under errors.Is, as its status and code say.
type APIError struct {
	StatusCode int
	Code       string
	Type       string
	Message    string
	// RetryAfter is what the endpoint asked us to wait (Retry-After or
	// retry-after-ms headers); zero when it did not say.
	RetryAfter time.Duration
	Err        error
}

func (e *APIError) Error() string {
	hint := ""
	switch e.kind() {
	case ErrUnauthorized:
		hint = " (check " + EnvAPIKey + ")"
	case ErrModelNotFound:
		hint = " (check the model name and " + EnvBaseURL + ")"
	case ErrRateLimited:
		hint = " (rate limited"
		if e.RetryAfter > 0 {
			hint += ", retry after " + e.RetryAfter.String()
		}
		hint += ")"
	case ErrContextLength:
		hint = " (shorten the conversation or use a model with a larger context)"
	}
	code := e.Code
	if code == "" {
		code = e.Type
	}
	return strings.TrimSpace(fmt.Sprintf("openai: HTTP %d %s: %s%s", e.StatusCode, code, e.Message, hint))
}

func (e *APIError) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel error for e's kind.
func (e *APIError) Is(target error) bool {
	k := e.kind()
	return k != nil && target == k
}

func (e *APIError) kind() error {
	msg := strings.ToLower(e.Message)
	switch {
	case e.Code == "context_length_exceeded" || strings.Contains(msg, "context length") || strings.Contains(msg, "context window") || strings.Contains(msg, "maximum context"):
		return ErrContextLength
	case e.StatusCode == http.StatusUnauthorized || e.Code == "invalid_api_key":
		return ErrUnauthorized
	case e.StatusCode == http.StatusNotFound || e.Code == "model_not_found":
		return ErrModelNotFound
	case e.StatusCode == http.StatusTooManyRequests:
		return ErrRateLimited
	case e.StatusCode >= 500 || (e.StatusCode == 0 && e.Type == "server_error"):
		return ErrServer
	}
	return nil
}

// Retryable reports whether a model call that failed with err may succeed
// when repeated: rate limits, server errors, timeouts of one attempt,
// broken connections, and HTTP 408 and 409. Cancellation of the caller's
// context, bad keys, unknown models and context-length overflows are not.
func Retryable(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusRequestTimeout || apiErr.StatusCode == http.StatusConflict) {
		return true
	}
	for _, target := range []error{ErrRateLimited, ErrServer, ErrTimeout, ErrConnection} {
		if errors.Is(err, target) {
			return !errors.Is(err, ErrContextLength)
		}
	}
	return false
}

// retryAfter returns what err's endpoint asked us to wait, zero if nothing.
func retryAfter(err error) time.Duration {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.RetryAfter
	}
	return 0
}

// parseRetryAfter reads OpenAI's retry-after-ms, then the standard
// Retry-After (seconds or an HTTP date).
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if ms := h.Get("Retry-After-Ms"); ms != "" {
		var v float64
		if _, err := fmt.Sscan(ms, &v); err == nil && v > 0 {
			return time.Duration(v * float64(time.Millisecond))
		}
	}
	ra := strings.TrimSpace(h.Get("Retry-After"))
	if ra == "" {
		return 0
	}
	var secs float64
	if _, err := fmt.Sscan(ra, &secs); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(ra); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// classify turns an error of go-openai or of the transport into ours. hdr is
// the header of the failed HTTP response, if one arrived.
func classify(err error, hdr http.Header) error {
	var oaErr *openai.APIError
	if errors.As(err, &oaErr) {
		return &APIError{
			StatusCode: oaErr.HTTPStatusCode,
			Code:       codeString(oaErr.Code),
			Type:       oaErr.Type,
			Message:    oaErr.Message,
			RetryAfter: parseRetryAfter(hdr, time.Now()),
			Err:        err,
		}
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return &APIError{
			StatusCode: reqErr.HTTPStatusCode,
			Message:    strings.TrimSpace(string(reqErr.Body)),
			RetryAfter: parseRetryAfter(hdr, time.Now()),
			Err:        err,
		}
	}
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	if errors.As(err, &syntaxErr) || errors.As(err, &typeErr) || errors.Is(err, openai.ErrTooManyEmptyStreamMessages) {
		return fmt.Errorf("openai: %w: %w", ErrMalformedReply, err)
	}
	var (
		urlErr *url.Error
		netErr net.Error
	)
	if errors.As(err, &urlErr) || errors.As(err, &netErr) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("openai: %w: %w", ErrConnection, err)
	}
	return fmt.Errorf("openai: %w", err)
}

func codeString(c any) string {
	switch v := c.(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		return fmt.Sprint(v)
	}
}
