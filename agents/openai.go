package agents

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/parley-go/parley/conversation"
)

// OpenAIConfig configures a client for an OpenAI-compatible endpoint.
type OpenAIConfig struct {
	// BaseURL of the API, e.g. "https://api.example.com/v1"; "" means
	// OpenAI's own.
	BaseURL string
	// APIKey is sent as a bearer token.
	APIKey string
	// Model names the model; "" means DefaultModel.
	Model string
	// Temperature, when set, is sent with each request.
	Temperature *float32
	// HTTPClient replaces the default HTTP client (proxies, TLS). Its
	// transport is wrapped to read the Retry-After header of failed
	// responses, which go-openai's errors do not keep.
	HTTPClient *http.Client
	// Retry says how failed requests are repeated (429, 5xx, timeouts,
	// broken connections); the zero value retries DefaultMaxRetries times
	// with exponential backoff and jitter, honouring Retry-After. Set
	// Retry.MaxRetries to -1 to disable retries.
	Retry RetryPolicy
	// RequestTimeout bounds one attempt: for a plain request, the whole
	// answer; for a streamed one, the wait for the first chunk and between
	// chunks, so a long but lively stream is not cut. An attempt that runs
	// out of time fails with ErrTimeout and is retried. Zero means
	// DefaultRequestTimeout; negative means no limit but the context's.
	RequestTimeout time.Duration
}

// DefaultModel is used when no model is configured.
const DefaultModel = "gpt-4o-mini"

// Environment variables read by OpenAIConfigFromEnv.
const (
	EnvAPIKey  = "OPENAI_API_KEY"
	EnvBaseURL = "OPENAI_BASE_URL"
	EnvModel   = "OPENAI_MODEL"
)

// OpenAIConfigFromEnv reads OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL.
func OpenAIConfigFromEnv() OpenAIConfig {
	return OpenAIConfig{
		APIKey:  os.Getenv(EnvAPIKey),
		BaseURL: os.Getenv(EnvBaseURL),
		Model:   os.Getenv(EnvModel),
	}
}

// ErrNoAPIKey is returned by NewOpenAI when no key is configured.
var ErrNoAPIKey = errors.New("openai: no API key: set " + EnvAPIKey + " or OpenAIConfig.APIKey")

// OpenAI is an LLM reached through github.com/sashabaranov/go-openai. It is
// safe for concurrent use.
type OpenAI struct {
	client  *openai.Client
	model   string
	temp    *float32
	retry   RetryPolicy
	timeout time.Duration
}

// NewOpenAI returns a client for cfg.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if cfg.APIKey == "" {
		return nil, ErrNoAPIKey
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = captureTransport{base}
	oc.HTTPClient = hc
	model := cfg.Model
	if model == "" {
		model = DefaultModel
	}
	timeout := cfg.RequestTimeout
	if timeout == 0 {
		timeout = DefaultRequestTimeout
	}
	return &OpenAI{
		client:  openai.NewClientWithConfig(oc),
		model:   model,
		temp:    cfg.Temperature,
		retry:   cfg.Retry,
		timeout: timeout,
	}, nil
}

// Model returns the model name requests use.
func (o *OpenAI) Model() string { return o.model }

// Complete sends req and returns the model's answer. With req.OnToken set the
// reply is streamed and each content fragment is passed on as it arrives.
//
// Failed attempts are retried as OpenAIConfig.Retry says; each retry is
// announced as a RetryEvent to the event subscribers of ctx (a streamed
// attempt that broke may already have passed tokens on: RetryEvent.Partial
// holds them). Errors match ErrUnauthorized, ErrModelNotFound,
// ErrContextLength, ErrRateLimited, ErrServer, ErrTimeout, ErrConnection,
// ErrMalformedReply or ErrEmptyReply under errors.Is; when ctx ends, the
// error wraps ctx.Err().
func (o *OpenAI) Complete(ctx context.Context, req LLMRequest) (LLMResponse, error) {
	creq := o.request(req)
	return o.retry.do(ctx, func(ctx context.Context, _ int) (LLMResponse, error) {
		return o.attempt(ctx, creq, req.OnToken)
	})
}

// errAttemptTimeout is the cancellation cause of an attempt that ran out of
// time.
var errAttemptTimeout = errors.New("attempt timed out")

// attempt makes one request under the per-attempt timeout.
func (o *OpenAI) attempt(ctx context.Context, creq openai.ChatCompletionRequest, onToken func(string)) (LLMResponse, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	progress := func() {}
	if o.timeout > 0 {
		watchdog := time.AfterFunc(o.timeout, func() { cancel(errAttemptTimeout) })
		defer watchdog.Stop()
		progress = func() { watchdog.Reset(o.timeout) }
	}
	capt := &captured{}
	actx = context.WithValue(actx, captureKey{}, capt)

	var (
		out LLMResponse
		err error
	)
	if onToken != nil {
		out, err = o.stream(actx, creq, onToken, progress)
	} else {
		out, err = o.complete(actx, creq)
	}
	if err == nil || errors.Is(err, ErrEmptyReply) || errors.Is(err, ErrMalformedReply) {
		return out, err
	}
	switch {
	case ctx.Err() != nil:
		if errors.Is(err, ctx.Err()) {
			return out, fmt.Errorf("openai: %w", err)
		}
		return out, fmt.Errorf("openai: %w: %w", ctx.Err(), err)
	case errors.Is(context.Cause(actx), errAttemptTimeout):
		return out, fmt.Errorf("openai: %w: no answer within %s: %w", ErrTimeout, o.timeout, err)
	}
	return out, classify(err, capt.header())
}

func (o *OpenAI) complete(ctx context.Context, creq openai.ChatCompletionRequest) (LLMResponse, error) {
	resp, err := o.client.CreateChatCompletion(ctx, creq)
	if err != nil {
		return LLMResponse{}, err
	}
	if len(resp.Choices) == 0 {
		return LLMResponse{}, fmt.Errorf("%w (no choices)", ErrEmptyReply)
	}
	ch := resp.Choices[0]
	out := LLMResponse{
		Content:      ch.Message.Content,
		FinishReason: string(ch.FinishReason),
		Usage: conversation.Usage{
			Model:            orDefault(resp.Model, o.model),
			PromptTokens:     resp.Usage.PromptTokens,
			CompletionTokens: resp.Usage.CompletionTokens,
			TotalTokens:      resp.Usage.TotalTokens,
		},
	}
	for _, tc := range ch.Message.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, conversation.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	if out.Content == "" && len(out.ToolCalls) == 0 {
		return out, ErrEmptyReply
	}
	return out, nil
}

func (o *OpenAI) stream(ctx context.Context, creq openai.ChatCompletionRequest, onToken func(string), progress func()) (LLMResponse, error) {
	creq.Stream = true
	creq.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	s, err := o.client.CreateChatCompletionStream(ctx, creq)
	if err != nil {
		return LLMResponse{}, err
	}
	defer s.Close()
	var (
		out     LLMResponse
		content strings.Builder
		calls   = map[int]*conversation.ToolCall{}
	)
	out.Usage.Model = o.model
	chunks := 0
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			if chunks == 0 {
				// go-openai skips lines that are not events; a stream
				// of none is not an answer (e.g. a JSON body).
				return out, fmt.Errorf("openai: %w: the stream ended without a single event", ErrMalformedReply)
			}
			break
		}
		if err != nil {
			out.Content = content.String()
			return out, err
		}
		chunks++
		progress()
		if chunk.Model != "" {
			out.Usage.Model = chunk.Model
		}
		if chunk.Usage != nil {
			out.Usage.PromptTokens = chunk.Usage.PromptTokens
			out.Usage.CompletionTokens = chunk.Usage.CompletionTokens
			out.Usage.TotalTokens = chunk.Usage.TotalTokens
		}
		for _, ch := range chunk.Choices {
			if ch.Delta.Content != "" {
				content.WriteString(ch.Delta.Content)
				onToken(ch.Delta.Content)
			}
			for _, d := range ch.Delta.ToolCalls {
				idx := len(calls)
				if d.Index != nil {
					idx = *d.Index
				}
				c, ok := calls[idx]
				if !ok {
					c = &conversation.ToolCall{}
					calls[idx] = c
				}
				if d.ID != "" {
					c.ID = d.ID
				}
				c.Name += d.Function.Name
				c.Arguments += d.Function.Arguments
			}
			if ch.FinishReason != "" {
				out.FinishReason = string(ch.FinishReason)
			}
		}
	}
	out.Content = content.String()
	idxs := make([]int, 0, len(calls))
	for i := range calls {
		idxs = append(idxs, i)
	}
	sort.Ints(idxs)
	for _, i := range idxs {
		out.ToolCalls = append(out.ToolCalls, *calls[i])
	}
	if out.Content == "" && len(out.ToolCalls) == 0 {
		return out, ErrEmptyReply
	}
	return out, nil
}

// captureKey keys the *captured of one attempt in its request's context.
type captureKey struct{}

// captured holds the header of a failed response, which go-openai drops
// from its errors but which carries Retry-After.
type captured struct {
	mu sync.Mutex
	h  http.Header
}

func (c *captured) header() http.Header {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.h
}

// captureTransport records the headers of failed responses into the
// request's *captured.
type captureTransport struct{ base http.RoundTripper }

func (t captureTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if resp != nil && resp.StatusCode >= 400 {
		if c, ok := r.Context().Value(captureKey{}).(*captured); ok {
			c.mu.Lock()
			c.h = resp.Header.Clone()
			c.mu.Unlock()
		}
	}
	return resp, err
}

func (o *OpenAI) request(req LLMRequest) openai.ChatCompletionRequest {
	creq := openai.ChatCompletionRequest{Model: o.model}
	if o.temp != nil {
		creq.Temperature = *o.temp
	}
	for _, m := range req.Messages {
		cm := openai.ChatCompletionMessage{
			Role:       string(m.Role),
			Content:    m.Content,
			Name:       apiName(m.Name),
			ToolCallID: m.ToolCallID,
		}
		for _, tc := range m.ToolCalls {
			cm.ToolCalls = append(cm.ToolCalls, openai.ToolCall{
				ID: tc.ID, Type: openai.ToolTypeFunction,
				Function: openai.FunctionCall{Name: tc.Name, Arguments: tc.Arguments},
			})
		}
		creq.Messages = append(creq.Messages, cm)
	}
	for _, t := range req.Tools {
		params := t.Parameters
		if params == nil {
			params = map[string]any{"type": "object", "properties": map[string]any{}}
		}
		creq.Tools = append(creq.Tools, openai.Tool{
			Type:     openai.ToolTypeFunction,
			Function: &openai.FunctionDefinition{Name: t.Name, Description: t.Description, Parameters: params},
		})
	}
	return creq
}

// nameChars are the characters OpenAI accepts in a message's name.
var nameChars = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// apiName makes an agent name acceptable as a message name (the API allows
// letters, digits, '_' and '-', up to 64 characters).
func apiName(name string) string {
	n := nameChars.ReplaceAllString(name, "_")
	if len(n) > 64 {
		n = n[:64]
	}
	return n
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
