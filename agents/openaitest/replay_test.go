package openaitest_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/parley-go/parley/agents/openaitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResponseJSONRoundTrip(t *testing.T) {
	in := []openaitest.Response{
		{Content: "hi", Usage: openaitest.Usage{PromptTokens: 1, CompletionTokens: 2, TotalTokens: 3}},
		{ToolCalls: []openaitest.ToolCall{{ID: "call_1", Type: "function", Name: "run", Arguments: `{"a":1}`}}, FinishReason: "tool_calls"},
		{Status: 429, ErrorMessage: "slow down", ErrorType: "requests", ErrorCode: "rate_limit_exceeded", RetryAfter: 1500 * time.Millisecond},
		{Delay: 2 * time.Second, ChunkDelay: 10 * time.Millisecond, DropAfterChunks: 3, Headers: map[string]string{"x-a": "b"}},
		{DropConnection: true},
		{Garbage: "{not json"},
	}
	var buf bytes.Buffer
	require.NoError(t, openaitest.WriteReplay(&buf, in))
	assert.Contains(t, buf.String(), `"retry_after": "1.5s"`, "durations are Go duration strings")
	assert.Contains(t, buf.String(), `"function": {`, "tool calls use OpenAI's wire shape")

	out, err := openaitest.ReadReplay(&buf)
	require.NoError(t, err)
	assert.Equal(t, in, out)

	minimal, err := json.Marshal(openaitest.Response{DropConnection: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"drop_connection":true}`, string(minimal), "zero fields are omitted")

	// Plain encoding/json round-trips as well.
	data, err := json.Marshal(in[2])
	require.NoError(t, err)
	var back openaitest.Response
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, in[2], back)
}

func TestReadReplayFormats(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		want    []openaitest.Response
		wantErr string
	}{
		{
			name:  "array with millisecond numbers",
			input: `[{"content":"a","delay":250,"retry_after":1000.5}]`,
			want:  []openaitest.Response{{Content: "a", Delay: 250 * time.Millisecond, RetryAfter: 1000500 * time.Microsecond}},
		},
		{
			name:  "object wrapper and flat tool call",
			input: `{"responses":[{"tool_calls":[{"id":"c1","name":"f","arguments":"{}"}]}]}`,
			want:  []openaitest.Response{{ToolCalls: []openaitest.ToolCall{{ID: "c1", Name: "f", Arguments: "{}"}}}},
		},
		{name: "empty array", input: `[]`, want: []openaitest.Response{}},
		{name: "misspelt field", input: `[{"content":"a","delay_ms":5}]`, wantErr: `response 0: json: unknown field "delay_ms"`},
		{name: "bad duration", input: `[{"delay":"soon"}]`, wantErr: `duration "soon"`},
		{name: "not json", input: `nope`, wantErr: "want a JSON array of responses"},
		{name: "unknown wrapper key", input: `{"replies":[]}`, wantErr: `unknown field "replies"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := openaitest.ReadReplay(strings.NewReader(tt.input))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReplayOptionServesInOrder(t *testing.T) {
	srv, client := newServer(t, openaitest.Replay([]openaitest.Response{{Content: "one"}, {Content: "two"}}))
	require.Equal(t, 2, srv.Pending())
	for _, want := range []string{"one", "two"} {
		resp, err := client.CreateChatCompletion(t.Context(), userRequest("next"))
		require.NoError(t, err)
		assert.Equal(t, want, resp.Choices[0].Message.Content)
	}
	_, err := client.CreateChatCompletion(t.Context(), userRequest("more"))
	assert.Contains(t, apiError(t, err).Message, "no scripted response left")
}
