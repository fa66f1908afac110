package agents_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenAICompleteAndUsage(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(openaitest.Response{Content: "hello", Usage: openaitest.Usage{PromptTokens: 7, CompletionTokens: 2, TotalTokens: 9}})
	resp, err := llm.Complete(context.Background(), agents.LLMRequest{Messages: []agents.LLMMessage{{Role: agents.LLMUser, Name: "user proxy", Content: "hi"}}})
	require.NoError(t, err)
	assert.Equal(t, "hello", resp.Content)
	assert.Equal(t, conversation.Usage{Model: "test-model", PromptTokens: 7, CompletionTokens: 2, TotalTokens: 9}, resp.Usage)
	req := srv.Requests()[0]
	assert.Equal(t, "test-model", req.Model)
	assert.Equal(t, "user_proxy", req.Messages[0].Name, "names are made acceptable to the API")
}

func TestOpenAIStreaming(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(openaitest.Response{Content: "one two three", Usage: openaitest.Usage{PromptTokens: 3, CompletionTokens: 3, TotalTokens: 6}})
	var tokens []string
	resp, err := llm.Complete(context.Background(), agents.LLMRequest{
		Messages: []agents.LLMMessage{{Role: agents.LLMUser, Content: "count"}},
		OnToken:  func(s string) { tokens = append(tokens, s) },
	})
	require.NoError(t, err)
	assert.Equal(t, "one two three", resp.Content)
	assert.Greater(t, len(tokens), 1, "tokens arrive one by one")
	assert.Equal(t, "one two three", strings.Join(tokens, ""))
	assert.Equal(t, 6, resp.Usage.TotalTokens, "usage comes from the final usage chunk")
	assert.True(t, srv.Requests()[0].IncludeUsage())
}

func TestOpenAIStreamingToolCalls(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(openaitest.Response{ToolCalls: []openaitest.ToolCall{
		{ID: "c1", Name: "add", Arguments: `{"a":1,"b":2}`},
		{ID: "c2", Name: "mul", Arguments: `{"a":3,"b":4}`},
	}})
	resp, err := llm.Complete(context.Background(), agents.LLMRequest{
		Messages: []agents.LLMMessage{{Role: agents.LLMUser, Content: "math"}},
		OnToken:  func(string) {},
	})
	require.NoError(t, err)
	assert.Equal(t, []conversation.ToolCall{
		{ID: "c1", Name: "add", Arguments: `{"a":1,"b":2}`},
		{ID: "c2", Name: "mul", Arguments: `{"a":3,"b":4}`},
	}, resp.ToolCalls)
}

func TestOpenAIErrors(t *testing.T) {
	tests := []struct {
		name   string
		resp   openaitest.Response
		status int
		target error
	}{
		{name: "rate limited", resp: openaitest.Response{Status: 429, RetryAfter: time.Second}, status: 429},
		{name: "server error", resp: openaitest.Response{Status: 500}, status: 500},
		{name: "garbage", resp: openaitest.Response{Garbage: "{not json"}},
		{name: "empty", resp: openaitest.Response{Content: ""}, target: agents.ErrEmptyReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			llm, srv := newLLMWith(t, func(c *agents.OpenAIConfig) { c.Retry.MaxRetries = -1 })
			srv.Enqueue(tt.resp)
			_, err := llm.Complete(context.Background(), agents.LLMRequest{Messages: []agents.LLMMessage{{Role: agents.LLMUser, Content: "x"}}})
			require.Error(t, err)
			if tt.status != 0 {
				var apiErr *agents.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.status, apiErr.StatusCode)
			}
			if tt.target != nil {
				require.ErrorIs(t, err, tt.target)
			}
		})
	}
}

func TestOpenAIBadKeyAndUnreachable(t *testing.T) {
	_, srv := newLLM(t)
	bad, err := agents.NewOpenAI(agents.OpenAIConfig{BaseURL: srv.URL(), APIKey: "wrong"})
	require.NoError(t, err)
	_, err = bad.Complete(context.Background(), agents.LLMRequest{Messages: []agents.LLMMessage{{Role: agents.LLMUser, Content: "x"}}})
	var apiErr *agents.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Contains(t, err.Error(), agents.EnvAPIKey)

	_, err = agents.NewOpenAI(agents.OpenAIConfig{})
	require.ErrorIs(t, err, agents.ErrNoAPIKey)

	dead, err := agents.NewOpenAI(agents.OpenAIConfig{BaseURL: "http://127.0.0.1:1/v1", APIKey: "k", Retry: agents.RetryPolicy{Sleep: noSleep}})
	require.NoError(t, err)
	_, err = dead.Complete(context.Background(), agents.LLMRequest{Messages: []agents.LLMMessage{{Role: agents.LLMUser, Content: "x"}}})
	require.ErrorIs(t, err, agents.ErrConnection)
	assert.Contains(t, err.Error(), "127.0.0.1:1")
}

func TestOpenAITimeout(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(openaitest.Response{Content: "late", Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := llm.Complete(ctx, agents.LLMRequest{Messages: []agents.LLMMessage{{Role: agents.LLMUser, Content: "x"}}})
	require.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
}
