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
	// HTTPClient replaces the default HTTP client (timeouts, proxies).
	HTTPClient *http.Client
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
	client *openai.Client
	model  string
	temp   *float32
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
	if cfg.HTTPClient != nil {
		oc.HTTPClient = cfg.HTTPClient
	}
	model := cfg.Model
	if model == "" {
		model = DefaultModel
	}
	return &OpenAI{client: openai.NewClientWithConfig(oc), model: model, temp: cfg.Temperature}, nil
}

// Model returns the model name requests use.
func (o *OpenAI) Model() string { return o.model }

// APIError is a failure reported by the endpoint, with its HTTP status.
type APIError struct {
	StatusCode int
	Code       string
	Message    string
	Err        error
}

func (e *APIError) Error() string {
	hint := ""
	switch e.StatusCode {
	case http.StatusUnauthorized:
		hint = " (check " + EnvAPIKey + ")"
	case http.StatusNotFound:
		hint = " (check the model name and " + EnvBaseURL + ")"
	case http.StatusTooManyRequests:
		hint = " (rate limited)"
	}
	return fmt.Sprintf("openai: HTTP %d %s: %s%s", e.StatusCode, e.Code, e.Message, hint)
}

func (e *APIError) Unwrap() error { return e.Err }

// ErrEmptyReply is returned when the model answers with neither content nor
// tool calls.
var ErrEmptyReply = errors.New("openai: the model returned an empty reply")

func wrapErr(err error) error {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		code := fmt.Sprint(apiErr.Code)
		if apiErr.Code == nil {
			code = apiErr.Type
		}
		return &APIError{StatusCode: apiErr.HTTPStatusCode, Code: code, Message: apiErr.Message, Err: err}
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return &APIError{StatusCode: reqErr.HTTPStatusCode, Message: strings.TrimSpace(string(reqErr.Body)), Err: err}
	}
	return fmt.Errorf("openai: %w", err)
}

// Complete sends req and returns the model's answer. With req.OnToken set the
// reply is streamed and each content fragment is passed on as it arrives.
func (o *OpenAI) Complete(ctx context.Context, req LLMRequest) (LLMResponse, error) {
	creq := o.request(req)
	if req.OnToken != nil {
		return o.stream(ctx, creq, req.OnToken)
	}
	resp, err := o.client.CreateChatCompletion(ctx, creq)
	if err != nil {
		return LLMResponse{}, wrapErr(err)
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

func (o *OpenAI) stream(ctx context.Context, creq openai.ChatCompletionRequest, onToken func(string)) (LLMResponse, error) {
	creq.Stream = true
	creq.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	s, err := o.client.CreateChatCompletionStream(ctx, creq)
	if err != nil {
		return LLMResponse{}, wrapErr(err)
	}
	defer s.Close()
	var (
		out     LLMResponse
		content strings.Builder
		calls   = map[int]*conversation.ToolCall{}
	)
	out.Usage.Model = o.model
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			out.Content = content.String()
			return out, wrapErr(err)
		}
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
