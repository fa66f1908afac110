package openaitest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-go/parley/agents/openaitest"
	openai "github.com/sashabaranov/go-openai"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testKey = "sk-test-0123456789"

func newServer(t *testing.T, opts ...openaitest.Option) (*openaitest.Server, *openai.Client) {
	t.Helper()
	srv := openaitest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, newClient(srv, testKey)
}

func newClient(srv *openaitest.Server, key string) *openai.Client {
	cfg := openai.DefaultConfig(key)
	cfg.BaseURL = srv.URL()
	return openai.NewClientWithConfig(cfg)
}

func userRequest(text string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model:    openai.GPT4oMini,
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: text}},
	}
}

// apiError asserts that err is an *openai.APIError and returns it.
func apiError(t *testing.T, err error) *openai.APIError {
	t.Helper()
	require.Error(t, err)
	var apiErr *openai.APIError
	require.True(t, errors.As(err, &apiErr), "want *openai.APIError, got %T: %v", err, err)
	return apiErr
}

func TestPlainCompletion(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(
		openaitest.Response{Content: "Hello there.", Usage: openaitest.Usage{PromptTokens: 11, CompletionTokens: 3}},
		openaitest.Response{Content: "Second answer, with estimated usage."},
	)

	resp, err := client.CreateChatCompletion(context.Background(), userRequest("Hi"))
	require.NoError(t, err)
	assert.Equal(t, "chat.completion", resp.Object)
	assert.NotEmpty(t, resp.ID)
	assert.Equal(t, openai.GPT4oMini, resp.Model, "the request's model is echoed")
	require.Len(t, resp.Choices, 1)
	assert.Equal(t, openai.ChatMessageRoleAssistant, resp.Choices[0].Message.Role)
	assert.Equal(t, "Hello there.", resp.Choices[0].Message.Content)
	assert.Equal(t, openai.FinishReasonStop, resp.Choices[0].FinishReason)
	assert.Equal(t, openai.Usage{PromptTokens: 11, CompletionTokens: 3, TotalTokens: 14}, resp.Usage,
		"total is filled in from the scripted parts")

	resp2, err := client.CreateChatCompletion(context.Background(), userRequest("Again"))
	require.NoError(t, err)
	assert.Equal(t, "Second answer, with estimated usage.", resp2.Choices[0].Message.Content)
	assert.Positive(t, resp2.Usage.PromptTokens)
	assert.Positive(t, resp2.Usage.CompletionTokens)
	assert.Equal(t, resp2.Usage.PromptTokens+resp2.Usage.CompletionTokens, resp2.Usage.TotalTokens)
	assert.NotEqual(t, resp.ID, resp2.ID, "completion ids are unique")
	assert.Zero(t, srv.Pending())
}

func TestUsageEstimateGrowsWithText(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{Content: "ok"}, openaitest.Response{Content: strings.Repeat("word ", 100)})

	short, err := client.CreateChatCompletion(context.Background(), userRequest("Hi"))
	require.NoError(t, err)
	long, err := client.CreateChatCompletion(context.Background(), userRequest(strings.Repeat("much longer prompt ", 50)))
	require.NoError(t, err)
	assert.Greater(t, long.Usage.PromptTokens, short.Usage.PromptTokens)
	assert.Greater(t, long.Usage.CompletionTokens, short.Usage.CompletionTokens)
}

func TestMultiTurnRequestsAreRecorded(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(
		openaitest.Response{ToolCalls: []openaitest.ToolCall{{ID: "call_a", Name: "run", Arguments: `{"code":"print(1)"}`}}},
		openaitest.Response{Content: "It printed 1. TERMINATE"},
	)
	temp := float32(0.25)
	history := []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: "You write Python."},
		{Role: openai.ChatMessageRoleUser, Name: "user_proxy", Content: "Print 1."},
	}
	tools := []openai.Tool{{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
		Name: "run", Description: "runs code",
		Parameters: map[string]any{"type": "object", "properties": map[string]any{"code": map[string]any{"type": "string"}}},
	}}}

	first, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: openai.GPT4oMini, Messages: history, Tools: tools, Temperature: temp,
	})
	require.NoError(t, err)
	history = append(history, first.Choices[0].Message, openai.ChatCompletionMessage{
		Role: openai.ChatMessageRoleTool, ToolCallID: "call_a", Content: "1\n",
	})
	_, err = client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: openai.GPT4oMini, Messages: history,
	})
	require.NoError(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)

	r0 := reqs[0]
	assert.Equal(t, openai.GPT4oMini, r0.Model)
	assert.False(t, r0.Stream)
	require.NotNil(t, r0.Temperature)
	assert.InDelta(t, 0.25, *r0.Temperature, 1e-6)
	assert.Equal(t, []openaitest.Message{
		{Role: "system", Content: "You write Python."},
		{Role: "user", Name: "user_proxy", Content: "Print 1."},
	}, r0.Messages)
	require.Len(t, r0.Tools, 1)
	assert.Equal(t, "function", r0.Tools[0].Type)
	assert.Equal(t, "run", r0.Tools[0].Function.Name)
	assert.JSONEq(t, `{"type":"object","properties":{"code":{"type":"string"}}}`, string(r0.Tools[0].Function.Parameters))
	assert.Equal(t, "Bearer "+testKey, r0.Header.Get("Authorization"))

	r1 := reqs[1]
	assert.Nil(t, r1.Temperature, "an unset temperature is not invented")
	require.Len(t, r1.Messages, 4)
	assert.Equal(t, openaitest.Message{
		Role:      "assistant",
		ToolCalls: []openaitest.ToolCall{{ID: "call_a", Type: "function", Name: "run", Arguments: `{"code":"print(1)"}`}},
	}, r1.Messages[2])
	assert.Equal(t, openaitest.Message{Role: "tool", ToolCallID: "call_a", Content: "1\n"}, r1.Messages[3])
	assert.Equal(t, r1.Messages[3], r1.LastMessage())
}

func TestMultiContentIsJoined(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{Content: "seen"})
	_, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: openai.GPT4oMini,
		Messages: []openai.ChatCompletionMessage{{Role: "user", MultiContent: []openai.ChatMessagePart{
			{Type: openai.ChatMessagePartTypeText, Text: "first"},
			{Type: openai.ChatMessagePartTypeImageURL, ImageURL: &openai.ChatMessageImageURL{URL: "data:image/png;base64,AAAA"}},
			{Type: openai.ChatMessagePartTypeText, Text: "second"},
		}}},
	})
	require.NoError(t, err)
	assert.Equal(t, "first\nsecond", srv.Requests()[0].Messages[0].Content)
}

// collect reads a stream to its end and returns every chunk.
func collect(t *testing.T, stream *openai.ChatCompletionStream) []openai.ChatCompletionStreamResponse {
	t.Helper()
	var chunks []openai.ChatCompletionStreamResponse
	for {
		c, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return chunks
		}
		require.NoError(t, err)
		chunks = append(chunks, c)
	}
}

func TestStreamingContent(t *testing.T) {
	const content = "Here is the plan:\n\n1. write code\n2. run it  "
	for _, includeUsage := range []bool{false, true} {
		t.Run(fmt.Sprintf("include_usage=%v", includeUsage), func(t *testing.T) {
			srv, client := newServer(t)
			srv.Enqueue(openaitest.Response{Content: content, Usage: openaitest.Usage{PromptTokens: 7, CompletionTokens: 9}})

			req := userRequest("plan?")
			if includeUsage {
				req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
			}
			stream, err := client.CreateChatCompletionStream(context.Background(), req)
			require.NoError(t, err)
			defer stream.Close()
			assert.Equal(t, "text/event-stream", stream.Header().Get("Content-Type"))
			chunks := collect(t, stream)

			var text strings.Builder
			var deltas int
			var finish openai.FinishReason
			var usage *openai.Usage
			for i, c := range chunks {
				assert.Equal(t, "chat.completion.chunk", c.Object)
				assert.Equal(t, chunks[0].ID, c.ID, "all chunks share the completion id")
				if c.Usage != nil {
					assert.Equal(t, len(chunks)-1, i, "usage comes in the last chunk")
					assert.Empty(t, c.Choices, "the usage chunk has no choices")
					usage = c.Usage
					continue
				}
				require.Len(t, c.Choices, 1)
				if i == 0 {
					assert.Equal(t, openai.ChatMessageRoleAssistant, c.Choices[0].Delta.Role)
				}
				if c.Choices[0].Delta.Content != "" {
					deltas++
					text.WriteString(c.Choices[0].Delta.Content)
				}
				if c.Choices[0].FinishReason != "" {
					finish = c.Choices[0].FinishReason
				}
			}
			assert.Equal(t, content, text.String(), "deltas reassemble to the content")
			assert.Greater(t, deltas, 5, "content arrives in several deltas")
			assert.Equal(t, openai.FinishReasonStop, finish)
			if includeUsage {
				require.NotNil(t, usage, "include_usage brings a usage chunk")
				assert.Equal(t, openai.Usage{PromptTokens: 7, CompletionTokens: 9, TotalTokens: 16}, *usage)
			} else {
				assert.Nil(t, usage)
			}
			assert.True(t, srv.Requests()[0].Stream)
			assert.Equal(t, includeUsage, srv.Requests()[0].IncludeUsage())
		})
	}
}

func TestToolCallsNonStreaming(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{ToolCalls: []openaitest.ToolCall{
		{ID: "call_x", Name: "get_weather", Arguments: `{"city":"Paris"}`},
		{Name: "get_time", Arguments: `{"tz":"CET"}`},
	}})

	resp, err := client.CreateChatCompletion(context.Background(), userRequest("weather and time?"))
	require.NoError(t, err)
	msg := resp.Choices[0].Message
	assert.Equal(t, openai.FinishReasonToolCalls, resp.Choices[0].FinishReason)
	assert.Empty(t, msg.Content)
	require.Len(t, msg.ToolCalls, 2)
	assert.Equal(t, "call_x", msg.ToolCalls[0].ID)
	assert.Equal(t, openai.ToolTypeFunction, msg.ToolCalls[0].Type)
	assert.Equal(t, "get_weather", msg.ToolCalls[0].Function.Name)
	assert.JSONEq(t, `{"city":"Paris"}`, msg.ToolCalls[0].Function.Arguments)
	assert.NotEmpty(t, msg.ToolCalls[1].ID, "a missing id is generated")
	assert.NotEqual(t, msg.ToolCalls[0].ID, msg.ToolCalls[1].ID)
	assert.Equal(t, "get_time", msg.ToolCalls[1].Function.Name)
}

func TestNonStreamingToolOnlyContentIsNull(t *testing.T) {
	srv := openaitest.NewServer()
	defer srv.Close()
	srv.Enqueue(openaitest.Response{ToolCalls: []openaitest.ToolCall{{ID: "call_1", Name: "f", Arguments: "{}"}}})

	resp, err := http.Post(srv.URL()+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"x"}]}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Choices []struct {
			Message map[string]json.RawMessage `json:"message"`
		} `json:"choices"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	require.Len(t, body.Choices, 1)
	assert.Equal(t, "null", string(body.Choices[0].Message["content"]))
}

func TestToolCallsStreaming(t *testing.T) {
	srv, client := newServer(t)
	calls := []openaitest.ToolCall{
		{ID: "call_1", Name: "run_python", Arguments: `{"code": "print('hello, world')\nprint(2 + 2)"}`},
		{ID: "call_2", Name: "list_files", Arguments: `{"dir": "/tmp/work", "recursive": true}`},
	}
	srv.Enqueue(openaitest.Response{Content: "Running both.", ToolCalls: calls})

	stream, err := client.CreateChatCompletionStream(context.Background(), userRequest("go"))
	require.NoError(t, err)
	defer stream.Close()

	type acc struct {
		id, typ, name string
		args          strings.Builder
		argDeltas     int
	}
	got := map[int]*acc{}
	var content strings.Builder
	var finish openai.FinishReason
	for _, c := range collect(t, stream) {
		if len(c.Choices) == 0 {
			continue
		}
		d := c.Choices[0].Delta
		content.WriteString(d.Content)
		if c.Choices[0].FinishReason != "" {
			finish = c.Choices[0].FinishReason
		}
		for _, tc := range d.ToolCalls {
			require.NotNil(t, tc.Index, "every tool-call delta carries its index")
			a := got[*tc.Index]
			if a == nil {
				require.NotEmpty(t, tc.ID, "the first delta of a call carries its id")
				a = &acc{}
				got[*tc.Index] = a
			} else {
				assert.Empty(t, tc.ID, "later deltas carry only index and arguments")
				assert.Empty(t, tc.Function.Name, "later deltas carry only index and arguments")
			}
			if tc.ID != "" {
				a.id, a.typ = tc.ID, string(tc.Type)
			}
			a.name += tc.Function.Name
			if tc.Function.Arguments != "" {
				a.argDeltas++
				a.args.WriteString(tc.Function.Arguments)
			}
		}
	}
	assert.Equal(t, "Running both.", content.String())
	assert.Equal(t, openai.FinishReasonToolCalls, finish)
	require.Len(t, got, 2)
	for i, want := range calls {
		a := got[i]
		require.NotNil(t, a, "call %d", i)
		assert.Equal(t, want.ID, a.id)
		assert.Equal(t, "function", a.typ)
		assert.Equal(t, want.Name, a.name)
		assert.Equal(t, want.Arguments, a.args.String(), "argument fragments reassemble exactly")
		assert.Greater(t, a.argDeltas, 1, "arguments arrive in fragments")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		opts       []openaitest.Option
		key        string
		script     []openaitest.Response
		model      string
		wantStatus int
		wantCode   any
		wantType   string
		wantMsg    string
	}{
		{
			name: "wrong api key", opts: []openaitest.Option{openaitest.WithAPIKey(testKey)}, key: "sk-wrong-key",
			script:     []openaitest.Response{{Content: "never served"}},
			wantStatus: http.StatusUnauthorized, wantCode: "invalid_api_key", wantType: "invalid_request_error",
			wantMsg: "incorrect API key",
		},
		{
			name: "missing api key", opts: []openaitest.Option{openaitest.WithAPIKey(testKey)}, key: "",
			wantStatus: http.StatusUnauthorized, wantCode: "invalid_api_key", wantMsg: "didn't provide an API key",
		},
		{
			name: "unknown model", opts: []openaitest.Option{openaitest.WithModels("gpt-4o", "gpt-4o-mini")}, key: testKey,
			model:      "gpt-nonexistent",
			script:     []openaitest.Response{{Content: "never served"}},
			wantStatus: http.StatusNotFound, wantCode: "model_not_found", wantType: "invalid_request_error",
			wantMsg: "gpt-nonexistent",
		},
		{
			name: "scripted rate limit", key: testKey,
			script:     []openaitest.Response{{Status: 429, RetryAfter: 2 * time.Second}},
			wantStatus: http.StatusTooManyRequests, wantCode: "rate_limit_exceeded", wantType: "requests",
		},
		{
			name: "scripted server error with own text", key: testKey,
			script:     []openaitest.Response{{Status: 500, ErrorMessage: "boom", ErrorType: "server_error", ErrorCode: "internal"}},
			wantStatus: http.StatusInternalServerError, wantCode: "internal", wantType: "server_error", wantMsg: "boom",
		},
		{
			name: "queue exhausted", key: testKey,
			wantStatus: http.StatusInternalServerError, wantType: "server_error",
			wantMsg: "openaitest: no scripted response left",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaitest.NewServer(tt.opts...)
			defer srv.Close()
			srv.Enqueue(tt.script...)
			client := newClient(srv, tt.key)
			req := userRequest("hi")
			if tt.model != "" {
				req.Model = tt.model
			}

			for _, streaming := range []bool{false, true} {
				var err error
				if streaming {
					var stream *openai.ChatCompletionStream
					stream, err = client.CreateChatCompletionStream(context.Background(), req)
					if err == nil {
						stream.Close()
					}
				} else {
					_, err = client.CreateChatCompletion(context.Background(), req)
				}
				apiErr := apiError(t, err)
				assert.Equal(t, tt.wantStatus, apiErr.HTTPStatusCode)
				if tt.wantCode != nil {
					assert.Equal(t, tt.wantCode, apiErr.Code)
				}
				if tt.wantType != "" {
					assert.Equal(t, tt.wantType, apiErr.Type)
				}
				assert.NotEmpty(t, apiErr.Message)
				assert.Contains(t, apiErr.Message, tt.wantMsg)
				// A scripted error is consumed by the first attempt; the
				// second one finds the queue empty.
				if len(tt.script) > 0 && tt.script[0].Status != 0 {
					break
				}
			}
			if tt.wantStatus == http.StatusUnauthorized || tt.wantStatus == http.StatusNotFound {
				assert.Equal(t, len(tt.script), srv.Pending(), "refused requests do not consume scripted replies")
			}
		})
	}
}

func TestRetryAfterHeader(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{Status: 429, RetryAfter: 1500 * time.Millisecond}, openaitest.Response{Status: 429, RetryAfter: 3 * time.Second})

	resp, err := client.CreateChatCompletion(context.Background(), userRequest("hi"))
	assert.Equal(t, http.StatusTooManyRequests, apiError(t, err).HTTPStatusCode)
	// go-openai keeps the headers of a failed call on the returned response.
	assert.Equal(t, "2", resp.Header().Get("Retry-After"), "seconds are rounded up")
	assert.Equal(t, "1500", resp.Header().Get("Retry-After-Ms"))

	raw, err := http.Post(srv.URL()+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}`))
	require.NoError(t, err)
	defer raw.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, raw.StatusCode)
	assert.Equal(t, "3", raw.Header.Get("Retry-After"))
	assert.Equal(t, "application/json", raw.Header.Get("Content-Type"))
	var body map[string]map[string]any
	require.NoError(t, json.NewDecoder(raw.Body).Decode(&body))
	assert.Equal(t, "rate_limit_exceeded", body["error"]["code"])
	assert.Contains(t, body["error"], "param", "OpenAI's error object always has param")
}

func TestCustomHeaders(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{Content: "ok", Headers: map[string]string{"x-ratelimit-remaining-requests": "41"}})
	resp, err := client.CreateChatCompletion(context.Background(), userRequest("hi"))
	require.NoError(t, err)
	assert.Equal(t, 41, resp.GetRateLimitHeaders().RemainingRequests)
}

func TestDelayHonoursClientContext(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{Content: "too late", Delay: time.Minute}, openaitest.Response{Content: "in time"})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client.CreateChatCompletion(ctx, userRequest("hi"))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	// The server gave up on the abandoned request and serves the next one.
	resp, err := client.CreateChatCompletion(context.Background(), userRequest("again"))
	require.NoError(t, err)
	assert.Equal(t, "in time", resp.Choices[0].Message.Content)
}

func TestDelayIsWaited(t *testing.T) {
	srv, client := newServer(t)
	const delay = 30 * time.Millisecond
	srv.Enqueue(openaitest.Response{Content: "slow", Delay: delay})
	start := time.Now()
	resp, err := client.CreateChatCompletion(context.Background(), userRequest("hi"))
	require.NoError(t, err)
	assert.Equal(t, "slow", resp.Choices[0].Message.Content)
	// A lower bound only: the answer cannot come before the delay.
	assert.GreaterOrEqual(t, time.Since(start), delay)
}

func TestCloseEndsPendingDelay(t *testing.T) {
	srv := openaitest.NewServer()
	srv.Enqueue(openaitest.Response{Content: "never", Delay: time.Hour})
	client := newClient(srv, testKey)
	errc := make(chan error, 1)
	go func() {
		_, err := client.CreateChatCompletion(context.Background(), userRequest("hi"))
		errc <- err
	}()
	require.Eventually(t, func() bool { return len(srv.Requests()) == 1 }, 5*time.Second, time.Millisecond)
	srv.Close() // must return although the reply is an hour away
	assert.Error(t, <-errc)
}

func TestDropConnection(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{DropConnection: true}, openaitest.Response{Content: "recovered"})

	_, err := client.CreateChatCompletion(context.Background(), userRequest("hi"))
	require.Error(t, err)
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	assert.False(t, errors.As(err, &apiErr), "a dropped connection is no API error: %v", err)
	assert.False(t, errors.As(err, &reqErr), "a dropped connection is no API error: %v", err)
	assert.Contains(t, err.Error(), "/chat/completions", "a transport error names the URL: %v", err)

	resp, err := client.CreateChatCompletion(context.Background(), userRequest("again"))
	require.NoError(t, err)
	assert.Equal(t, "recovered", resp.Choices[0].Message.Content)
}

func TestMidStreamDrop(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{Content: "one two three four five six", DropAfterChunks: 3})

	stream, err := client.CreateChatCompletionStream(context.Background(), userRequest("hi"))
	require.NoError(t, err)
	defer stream.Close()

	var got strings.Builder
	var received int
	for {
		c, err := stream.Recv()
		if err != nil {
			require.NotErrorIs(t, err, io.EOF, "a drop must not look like a clean end")
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
			break
		}
		received++
		got.WriteString(c.Choices[0].Delta.Content)
	}
	assert.Equal(t, 3, received, "the chunks before the drop arrive")
	assert.Equal(t, "one two", got.String(), "role chunk, then two words")
}

func TestDropAfterAllChunksWithholdsDone(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{Content: "short", DropAfterChunks: 100})

	stream, err := client.CreateChatCompletionStream(context.Background(), userRequest("hi"))
	require.NoError(t, err)
	defer stream.Close()
	var lastErr error
	for lastErr == nil {
		_, lastErr = stream.Recv()
	}
	assert.NotErrorIs(t, lastErr, io.EOF, "without [DONE] the stream must not end cleanly")
}

func TestGarbage(t *testing.T) {
	srv, client := newServer(t)
	srv.Enqueue(openaitest.Response{Garbage: `<html>502 Bad Gateway</html>`})

	_, err := client.CreateChatCompletion(context.Background(), userRequest("hi"))
	require.Error(t, err)
	var syntaxErr *json.SyntaxError
	assert.True(t, errors.As(err, &syntaxErr), "want a JSON syntax error, got %T: %v", err, err)
}

func TestStreamChunkDelay(t *testing.T) {
	srv, client := newServer(t)
	const chunkDelay = 5 * time.Millisecond
	srv.Enqueue(openaitest.Response{Content: "a b c", ChunkDelay: chunkDelay})
	start := time.Now()
	stream, err := client.CreateChatCompletionStream(context.Background(), userRequest("hi"))
	require.NoError(t, err)
	defer stream.Close()
	chunks := collect(t, stream)
	// Lower bound only: the events are spaced by at least the delay.
	assert.GreaterOrEqual(t, time.Since(start), time.Duration(len(chunks)-1)*chunkDelay)
}

func TestResponderAfterQueue(t *testing.T) {
	srv, client := newServer(t, openaitest.WithResponder(func(r openaitest.Request) openaitest.Response {
		return openaitest.Response{Content: "echo: " + r.LastMessage().Content}
	}))
	srv.Enqueue(openaitest.Response{Content: "scripted first"})

	for _, want := range []string{"scripted first", "echo: b", "echo: c"} {
		prompt := want[len(want)-1:]
		resp, err := client.CreateChatCompletion(context.Background(), userRequest(prompt))
		require.NoError(t, err)
		assert.Equal(t, want, resp.Choices[0].Message.Content)
	}
}

func TestConcurrentRequests(t *testing.T) {
	const n = 32
	srv, client := newServer(t, openaitest.WithResponder(func(r openaitest.Request) openaitest.Response {
		return openaitest.Response{Content: "echo: " + r.LastMessage().Content}
	}))
	for i := range n {
		srv.Enqueue(openaitest.Response{Content: fmt.Sprintf("scripted %d", i)})
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]int{}
	errs := make(chan error, 2*n)
	for i := range 2 * n {
		wg.Go(func() {
			prompt := fmt.Sprintf("prompt %d", i)
			var content string
			if i%2 == 0 {
				resp, err := client.CreateChatCompletion(context.Background(), userRequest(prompt))
				if err != nil {
					errs <- err
					return
				}
				content = resp.Choices[0].Message.Content
			} else {
				stream, err := client.CreateChatCompletionStream(context.Background(), userRequest(prompt))
				if err != nil {
					errs <- err
					return
				}
				defer stream.Close()
				var b strings.Builder
				for {
					c, err := stream.Recv()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						errs <- err
						return
					}
					if len(c.Choices) > 0 {
						b.WriteString(c.Choices[0].Delta.Content)
					}
				}
				content = b.String()
			}
			mu.Lock()
			got[content]++
			mu.Unlock()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	assert.Len(t, srv.Requests(), 2*n)
	var scripted, echoed int
	for content, count := range got {
		assert.Equal(t, 1, count, "reply %q served once", content)
		switch {
		case strings.HasPrefix(content, "scripted "):
			scripted++
		case strings.HasPrefix(content, "echo: prompt "):
			echoed++
		default:
			t.Errorf("unexpected reply %q", content)
		}
	}
	assert.Equal(t, n, scripted, "every scripted reply is served exactly once")
	assert.Equal(t, n, echoed)
}

func TestModelsEndpoint(t *testing.T) {
	srv, client := newServer(t, openaitest.WithAPIKey(testKey), openaitest.WithModels("gpt-4o", "gpt-4o-mini"))

	list, err := client.ListModels(context.Background())
	require.NoError(t, err)
	var ids []string
	for _, m := range list.Models {
		ids = append(ids, m.ID)
	}
	assert.Equal(t, []string{"gpt-4o", "gpt-4o-mini"}, ids)

	m, err := client.GetModel(context.Background(), "gpt-4o")
	require.NoError(t, err)
	assert.Equal(t, "gpt-4o", m.ID)

	_, err = client.GetModel(context.Background(), "nope")
	assert.Equal(t, http.StatusNotFound, apiError(t, err).HTTPStatusCode)

	_, err = newClient(srv, "bad").ListModels(context.Background())
	assert.Equal(t, http.StatusUnauthorized, apiError(t, err).HTTPStatusCode)
}

func TestUnknownRouteAndBadBody(t *testing.T) {
	srv, client := newServer(t)

	_, err := client.CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Input: "x", Model: openai.SmallEmbedding3})
	apiErr := apiError(t, err)
	assert.Equal(t, http.StatusNotFound, apiErr.HTTPStatusCode)
	assert.Contains(t, apiErr.Message, "/v1/embeddings")

	resp, err := http.Post(srv.URL()+"/chat/completions", "application/json", strings.NewReader(`{"model":`))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Empty(t, srv.Requests(), "an undecodable body is not recorded")
}

func TestRootChatPathIsServed(t *testing.T) {
	srv, _ := newServer(t)
	srv.Enqueue(openaitest.Response{Content: "ok"})
	base := strings.TrimSuffix(srv.URL(), "/v1")
	resp, err := http.Post(base+"/chat/completions", "application/json",
		strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"x"}]}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Zero(t, srv.Pending())
}

func TestCloseBreaksStreamInProgress(t *testing.T) {
	srv := openaitest.NewServer()
	srv.Enqueue(openaitest.Response{Content: "one two three", ChunkDelay: time.Hour})
	client := newClient(srv, testKey)

	stream, err := client.CreateChatCompletionStream(context.Background(), userRequest("hi"))
	require.NoError(t, err)
	defer stream.Close()
	_, err = stream.Recv()
	require.NoError(t, err, "the first chunk comes at once")

	srv.Close() // must return although the next chunk is an hour away
	for err == nil {
		_, err = stream.Recv()
	}
	assert.NotErrorIs(t, err, io.EOF, "a stream cut by Close must not look finished")
}
