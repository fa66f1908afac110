package agents_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

type Common struct {
	Verbose bool `json:"verbose,omitempty" description:"say more"`
}

type weatherArgs struct {
	Common
	City     string          `json:"city" description:"the city"`
	Unit     string          `json:"unit,omitempty" enum:"celsius,fahrenheit"`
	Days     *int            `json:"days"`
	Forced   *int            `json:"forced" required:"true"`
	Optional string          `json:"optional" required:"false"`
	Tags     []string        `json:"tags,omitzero"`
	Where    Point           `json:"where"`
	Labels   map[string]int  `json:"labels,omitempty"`
	When     time.Time       `json:"when,omitempty"`
	Any      json.RawMessage `json:"any,omitempty"`
	Skipped  string          `json:"-"`
	NoTag    int             //nolint:unused // exported without a tag: named as in Go
	//lint:ignore U1000 an unexported field must stay out of the schema
	hidden string
	Extra  map[string]string `json:"extra,omitempty"`
}

func TestSchemaOf(t *testing.T) {
	got, err := agents.SchemaOf[weatherArgs]()
	require.NoError(t, err)
	want := `{
	  "type": "object", "additionalProperties": false,
	  "required": ["city", "forced", "where", "NoTag"],
	  "properties": {
	    "verbose": {"type": "boolean", "description": "say more"},
	    "city": {"type": "string", "description": "the city"},
	    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
	    "days": {"type": "integer"},
	    "forced": {"type": "integer"},
	    "optional": {"type": "string"},
	    "tags": {"type": "array", "items": {"type": "string"}},
	    "where": {"type": "object", "additionalProperties": false, "required": ["x", "y"],
	              "properties": {"x": {"type": "number"}, "y": {"type": "number"}}},
	    "labels": {"type": "object", "additionalProperties": {"type": "integer"}},
	    "when": {"type": "string", "format": "date-time"},
	    "any": {},
	    "NoTag": {"type": "integer"},
	    "extra": {"type": "object", "additionalProperties": {"type": "string"}}
	  }
	}`
	raw, err := json.Marshal(got)
	require.NoError(t, err)
	assert.JSONEq(t, want, string(raw))
}

type node struct {
	Next *node `json:"next"`
}

func TestSchemaOfRefusesWhatJSONCannotSay(t *testing.T) {
	_, err := agents.SchemaOf[string]()
	assert.ErrorContains(t, err, "must be a struct")
	_, err = agents.SchemaOf[node]()
	assert.ErrorContains(t, err, "refers to itself")
	_, err = agents.SchemaOf[struct {
		M map[int]string `json:"m"`
	}]()
	assert.ErrorContains(t, err, "string keys")
	_, err = agents.SchemaOf[struct {
		C chan int `json:"c"`
	}]()
	assert.ErrorContains(t, err, "no JSON Schema")
	_, err = agents.NewTool("bad", "", func(context.Context, node) (string, error) { return "", nil })
	assert.Error(t, err)
}

type addArgs struct {
	A int `json:"a" description:"first addend"`
	B int `json:"b" description:"second addend"`
}

func addTool(t *testing.T) agents.Tool {
	t.Helper()
	tool, err := agents.NewTool("add", "Adds two integers.", func(ctx context.Context, in addArgs) (string, error) {
		return fmt.Sprint(in.A + in.B), nil
	})
	require.NoError(t, err)
	return tool
}

func TestNewToolDecodesAndReportsBadArguments(t *testing.T) {
	add := addTool(t)
	tests := []struct {
		args, want string
		fails      bool
	}{
		{args: `{"a": 2, "b": 40}`, want: "42"},
		{args: `{"a": 2}`, want: "missing required argument(s): b", fails: true},
		{args: `{"a": "two", "b": 1}`, want: "bad arguments", fails: true},
		{args: `[1, 2]`, want: "must be a JSON object", fails: true},
	}
	for _, tt := range tests {
		out, err := add.Func(context.Background(), json.RawMessage(tt.args))
		if tt.fails {
			assert.ErrorContains(t, err, tt.want, tt.args)
			continue
		}
		require.NoError(t, err, tt.args)
		assert.Equal(t, tt.want, out)
	}
}

// barrier makes n concurrent callers wait for each other; a caller that
// waits too long reports that the calls did not run concurrently.
type barrier struct {
	mu   sync.Mutex
	n    int
	done chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, done: make(chan struct{})} }

func (b *barrier) wait(ctx context.Context) error {
	b.mu.Lock()
	b.n--
	if b.n == 0 {
		close(b.done)
	}
	b.mu.Unlock()
	select {
	case <-b.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
		return errors.New("the other calls never started: calls are not concurrent")
	}
}

func TestToolCallRoundTrip(t *testing.T) {
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", stream), func(t *testing.T) {
			llm, srv := newLLM(t)
			srv.Enqueue(
				openaitest.Response{ToolCalls: []openaitest.ToolCall{
					{ID: "call_a", Name: "add", Arguments: `{"a": 1, "b": 2}`},
					{ID: "call_b", Name: "slow_add", Arguments: `{"a": 3, "b": 4}`},
					{ID: "call_c", Name: "add", Arguments: `{"a": 1,`},
					{ID: "call_d", Name: "divide", Arguments: `{}`},
				}},
				openaitest.Response{Content: "3 and 7. TERMINATE"},
			)
			bar := newBarrier(2)
			add := addTool(t)
			slow, err := agents.NewTool("slow_add", "Adds slowly.", func(ctx context.Context, in addArgs) (string, error) {
				if err := bar.wait(ctx); err != nil {
					return "", err
				}
				return fmt.Sprint(in.A + in.B), nil
			})
			require.NoError(t, err)
			parallelAdd := add
			parallelAdd.Func = func(ctx context.Context, raw json.RawMessage) (string, error) {
				if string(raw) == `{"a": 1, "b": 2}` {
					if err := bar.wait(ctx); err != nil {
						return "", err
					}
				}
				return add.Func(ctx, raw)
			}
			opts := []agents.Option{agents.WithLLM(llm), agents.WithToolsForLLM(add, slow)}
			if stream {
				opts = append(opts, agents.WithStreaming(func(string, string) {}))
			}
			writer, err := agents.New("writer", opts...)
			require.NoError(t, err)
			runner, err := agents.New("runner", agents.WithToolsForExecution(parallelAdd, slow))
			require.NoError(t, err)

			res, err := conversation.Initiate(context.Background(), runner, writer, "Add 1+2 and 3+4.")
			require.NoError(t, err)
			assert.Equal(t, conversation.ReasonTermination, res.Reason)
			require.Len(t, res.History, 4)
			replies := res.History[2].ToolResponses
			require.Len(t, replies, 4)
			assert.Equal(t, conversation.ToolResponse{ToolCallID: "call_a", Name: "add", Content: "3"}, replies[0])
			assert.Equal(t, conversation.ToolResponse{ToolCallID: "call_b", Name: "slow_add", Content: "7"}, replies[1])
			assert.True(t, replies[2].IsError)
			assert.Contains(t, replies[2].Content, "not valid JSON")
			assert.Contains(t, replies[3].Content, `unknown tool "divide"`)

			reqs := srv.Requests()
			require.Len(t, reqs, 2)
			require.Len(t, reqs[0].Tools, 2)
			assert.Equal(t, "add", reqs[0].Tools[0].Function.Name)
			assert.JSONEq(t, `{"type":"object","additionalProperties":false,"required":["a","b"],
				"properties":{"a":{"type":"integer","description":"first addend"},"b":{"type":"integer","description":"second addend"}}}`,
				string(reqs[0].Tools[0].Function.Parameters))
			msgs := reqs[1].Messages
			require.Len(t, msgs, 6)
			assert.Equal(t, "assistant", msgs[1].Role)
			require.Len(t, msgs[1].ToolCalls, 4)
			assert.Equal(t, `{"a": 1, "b": 2}`, msgs[1].ToolCalls[0].Arguments)
			for i, id := range []string{"call_a", "call_b", "call_c", "call_d"} {
				assert.Equal(t, "tool", msgs[2+i].Role)
				assert.Equal(t, id, msgs[2+i].ToolCallID)
			}
			assert.Equal(t, "7", msgs[3].Content)
		})
	}
}

func TestWithToolsCallsAndExecutes(t *testing.T) {
	a, err := agents.New("solo", agents.WithTools(addTool(t)))
	require.NoError(t, err)
	chat := conversation.NewChat("", "other", "solo")
	require.NoError(t, chat.Append(conversation.Message{Name: "other", ToolCalls: []conversation.ToolCall{{ID: "1", Name: "add", Arguments: `{"a":1,"b":1}`}}}))
	m, err := a.Reply(context.Background(), chat)
	require.NoError(t, err)
	assert.Equal(t, "2", m.ToolResponses[0].Content)

	_, err = agents.New("x", agents.WithToolsForExecution(agents.RunCodeTool()))
	assert.Error(t, err, "run_code is executed by code execution, not as a plain tool")
}
