package agents_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noSleep lets retries run without waiting.
func noSleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// sleeps records the waits a retry policy asks for, without waiting.
type sleeps struct {
	mu sync.Mutex
	ds []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ds = append(s.ds, d)
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.ds...)
}

// newLLMWith is newLLM with a configurable client; retries never wait.
func newLLMWith(t *testing.T, configure func(*agents.OpenAIConfig), opts ...openaitest.Option) (*agents.OpenAI, *openaitest.Server) {
	t.Helper()
	srv := openaitest.NewServer(append([]openaitest.Option{openaitest.WithAPIKey(testKey)}, opts...)...)
	t.Cleanup(srv.Close)
	cfg := agents.OpenAIConfig{BaseURL: srv.URL(), APIKey: testKey, Model: "test-model", Retry: agents.RetryPolicy{Sleep: noSleep}}
	if configure != nil {
		configure(&cfg)
	}
	llm, err := agents.NewOpenAI(cfg)
	require.NoError(t, err)
	return llm, srv
}

// eventLog collects events delivered to a subscriber.
type eventLog struct {
	mu  sync.Mutex
	evs []agents.Event
}

func (l *eventLog) add(ev agents.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs = append(l.evs, ev)
}

func (l *eventLog) all() []agents.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]agents.Event(nil), l.evs...)
}

func eventsOf[E agents.Event](l *eventLog) []E {
	var out []E
	for _, ev := range l.all() {
		if e, ok := ev.(E); ok {
			out = append(out, e)
		}
	}
	return out
}

var ask = agents.LLMRequest{Messages: []agents.LLMMessage{{Role: agents.LLMUser, Content: "x"}}}

func streamed(onToken func(string)) agents.LLMRequest {
	r := ask
	r.OnToken = onToken
	return r
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	var sl sleeps
	llm, srv := newLLMWith(t, func(c *agents.OpenAIConfig) { c.Retry.Sleep = sl.sleep })
	srv.Enqueue(
		openaitest.Response{Status: 429, RetryAfter: 2 * time.Second},
		openaitest.Response{Status: 503, RetryAfter: 1500 * time.Millisecond},
		openaitest.Response{Content: "finally"},
	)
	var log eventLog
	resp, err := llm.Complete(agents.ContextWithEvents(context.Background(), log.add), ask)
	require.NoError(t, err)
	assert.Equal(t, "finally", resp.Content)
	assert.Len(t, srv.Requests(), 3)
	assert.Equal(t, []time.Duration{2 * time.Second, 1500 * time.Millisecond}, sl.waits(), "retry-after-ms is preferred to the rounded Retry-After")

	retries := eventsOf[*agents.RetryEvent](&log)
	require.Len(t, retries, 2)
	assert.Equal(t, 1, retries[0].Attempt)
	assert.Equal(t, 2*time.Second, retries[0].Delay)
	assert.ErrorIs(t, retries[0].Err, agents.ErrRateLimited)
	assert.ErrorIs(t, retries[1].Err, agents.ErrServer)
}

func TestRetryBackoffGrowsWithJitter(t *testing.T) {
	var sl sleeps
	llm, srv := newLLMWith(t, func(c *agents.OpenAIConfig) {
		c.Retry = agents.RetryPolicy{MaxRetries: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: 300 * time.Millisecond, Sleep: sl.sleep}
	})
	for range 5 {
		srv.Enqueue(openaitest.Response{Status: 500})
	}
	_, err := llm.Complete(context.Background(), ask)
	require.ErrorIs(t, err, agents.ErrServer)
	var apiErr *agents.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	assert.Contains(t, err.Error(), "after 5 attempts")
	assert.Len(t, srv.Requests(), 5)

	waits := sl.waits()
	require.Len(t, waits, 4)
	caps := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond, 300 * time.Millisecond}
	for i, w := range waits {
		assert.GreaterOrEqual(t, w, caps[i]/2, "wait %d", i)
		assert.LessOrEqual(t, w, caps[i], "wait %d", i)
	}
}

func TestRetryAfterBeyondLimitFailsAtOnce(t *testing.T) {
	var sl sleeps
	llm, srv := newLLMWith(t, func(c *agents.OpenAIConfig) { c.Retry.MaxDelay = time.Second; c.Retry.Sleep = sl.sleep })
	srv.Enqueue(openaitest.Response{Status: 429, RetryAfter: time.Minute}, openaitest.Response{Content: "not asked"})
	_, err := llm.Complete(context.Background(), ask)
	require.ErrorIs(t, err, agents.ErrRateLimited)
	var apiErr *agents.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Minute, apiErr.RetryAfter)
	assert.Empty(t, sl.waits())
	assert.Equal(t, 1, srv.Pending())
}

func TestRetryTransportFaults(t *testing.T) {
	tests := []struct {
		name   string
		fault  openaitest.Response
		stream bool
		target error
	}{
		{name: "dropped connection", fault: openaitest.Response{DropConnection: true}, target: agents.ErrConnection},
		{name: "dropped connection, streaming", fault: openaitest.Response{DropConnection: true}, stream: true, target: agents.ErrConnection},
		{name: "drop mid-stream", fault: openaitest.Response{Content: "partial answer that breaks", DropAfterChunks: 3}, stream: true, target: agents.ErrConnection},
		{name: "slow answer", fault: openaitest.Response{Content: "too late", Delay: 10 * time.Second}, target: agents.ErrTimeout},
		{name: "slow stream", fault: openaitest.Response{Content: "too slow to stream", ChunkDelay: 10 * time.Second}, stream: true, target: agents.ErrTimeout},
		{name: "server error", fault: openaitest.Response{Status: 502}, target: agents.ErrServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			llm, srv := newLLMWith(t, func(c *agents.OpenAIConfig) { c.RequestTimeout = 200 * time.Millisecond })
			srv.Enqueue(tt.fault, openaitest.Response{Content: "the real answer", Usage: openaitest.Usage{PromptTokens: 1, CompletionTokens: 3, TotalTokens: 4}})
			var log eventLog
			req := ask
			var tokens strings.Builder
			if tt.stream {
				req = streamed(func(s string) { tokens.WriteString(s) })
			}
			resp, err := llm.Complete(agents.ContextWithEvents(context.Background(), log.add), req)
			require.NoError(t, err)
			assert.Equal(t, "the real answer", resp.Content)
			assert.Equal(t, 4, resp.Usage.TotalTokens)
			retries := eventsOf[*agents.RetryEvent](&log)
			require.Len(t, retries, 1)
			assert.ErrorIs(t, retries[0].Err, tt.target)
			if tt.stream {
				assert.Equal(t, retries[0].Partial+"the real answer", tokens.String(),
					"tokens of the broken attempt are reported in the retry event")
			}
		})
	}
}

func TestTypedErrorsAreNotRetried(t *testing.T) {
	tests := []struct {
		name   string
		resp   openaitest.Response
		target error
	}{
		{name: "bad key", resp: openaitest.Response{Status: 401}, target: agents.ErrUnauthorized},
		{name: "unknown model", resp: openaitest.Response{Status: 404, ErrorCode: "model_not_found"}, target: agents.ErrModelNotFound},
		{name: "context length", resp: openaitest.Response{Status: 400, ErrorCode: "context_length_exceeded",
			ErrorMessage: "This model's maximum context length is 128000 tokens."}, target: agents.ErrContextLength},
		{name: "malformed", resp: openaitest.Response{Garbage: `{"choices": oops}`}, target: agents.ErrMalformedReply},
		{name: "empty", resp: openaitest.Response{Content: ""}, target: agents.ErrEmptyReply},
	}
	for _, tt := range tests {
		for _, stream := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				llm, srv := newLLMWith(t, nil)
				srv.Enqueue(tt.resp, openaitest.Response{Content: "must not be fetched"})
				req := ask
				if stream {
					req = streamed(func(string) {})
				}
				_, err := llm.Complete(context.Background(), req)
				require.ErrorIs(t, err, tt.target)
				assert.False(t, agents.Retryable(err))
				assert.Len(t, srv.Requests(), 1)
			})
		}
	}
}

func TestUnknownModelFromServer(t *testing.T) {
	llm, _ := newLLMWith(t, func(c *agents.OpenAIConfig) { c.Model = "no-such-model" }, openaitest.WithModels("test-model"))
	_, err := llm.Complete(context.Background(), ask)
	require.ErrorIs(t, err, agents.ErrModelNotFound)
	assert.Contains(t, err.Error(), agents.EnvBaseURL, "the error says what to check")
}

func TestCancelMidStream(t *testing.T) {
	llm, srv := newLLMWith(t, nil)
	srv.Enqueue(openaitest.Response{Content: "one two three four five", ChunkDelay: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var tokens []string
	_, err := llm.Complete(ctx, streamed(func(s string) {
		tokens = append(tokens, s)
		cancel()
	}))
	require.ErrorIs(t, err, context.Canceled)
	assert.Len(t, tokens, 1)
	assert.Len(t, srv.Requests(), 1, "a cancelled call is not retried")
}

func TestWithRetryWrapsAnyLLM(t *testing.T) {
	calls := 0
	flaky := agents.LLMFunc(func(ctx context.Context, req agents.LLMRequest) (agents.LLMResponse, error) {
		calls++
		if calls < 3 {
			return agents.LLMResponse{}, &agents.APIError{StatusCode: 503}
		}
		return agents.LLMResponse{Content: "ok"}, nil
	})
	resp, err := agents.WithRetry(flaky, agents.RetryPolicy{Sleep: noSleep}).Complete(context.Background(), ask)
	require.NoError(t, err)
	assert.Equal(t, "ok", resp.Content)
	assert.Equal(t, 3, calls)

	calls = 0
	_, err = agents.WithRetry(flaky, agents.RetryPolicy{MaxRetries: -1}).Complete(context.Background(), ask)
	require.Error(t, err)
	assert.Equal(t, 1, calls)
}

func TestChatEndsWithHistoryOnModelError(t *testing.T) {
	tests := []struct {
		name   string
		resp   openaitest.Response
		cancel bool
		reason conversation.StopReason
		target error
	}{
		{name: "bad key", resp: openaitest.Response{Status: 401}, reason: conversation.ReasonError, target: agents.ErrUnauthorized},
		{name: "context overflow", resp: openaitest.Response{Status: 400, ErrorCode: "context_length_exceeded"}, reason: conversation.ReasonError, target: agents.ErrContextLength},
		{name: "cancelled mid-stream", resp: openaitest.Response{Content: "a b c d e f", ChunkDelay: 50 * time.Millisecond}, cancel: true, reason: conversation.ReasonCancelled, target: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			llm, srv := newLLMWith(t, nil)
			srv.Enqueue(openaitest.Response{Content: "first answer"}, tt.resp)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tokens := 0
			writer, err := agents.New("writer", agents.WithLLM(llm), agents.WithStreaming(func(_, _ string) {
				tokens++
				if tt.cancel && tokens > 2 {
					cancel()
				}
			}))
			require.NoError(t, err)
			user, err := agents.New("user", agents.WithDefaultReply("go on"))
			require.NoError(t, err)
			res, err := conversation.Initiate(ctx, user, writer, "start")
			require.Error(t, err)
			require.NotNil(t, res)
			assert.ErrorIs(t, err, tt.target)
			assert.Equal(t, tt.reason, res.Reason)
			assert.Equal(t, []string{"start", "first answer", "go on"}, contentsOf(res.History), "the history so far is kept")
			assert.NotZero(t, res.UsageByAgent["writer"].TotalTokens)
			assert.False(t, errors.Is(err, agents.ErrEmptyReply))
		})
	}
}
