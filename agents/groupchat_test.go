package agents_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func member(t *testing.T, name, reply, description string) *agents.ConversableAgent {
	t.Helper()
	a, err := agents.New(name, agents.WithDescription(description), agents.WithDefaultReply(reply))
	require.NoError(t, err)
	return a
}

func trio(t *testing.T) (planner, coder, critic *agents.ConversableAgent) {
	return member(t, "planner", "plan", "Plans the work."),
		member(t, "coder", "code", "Writes Python code."),
		member(t, "critic", "critique", "Reviews code.")
}

func speakerNames(ms []conversation.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

func TestAutoSelect(t *testing.T) {
	tests := []struct {
		name     string
		answers  []string
		want     string
		requests int
		retryMsg string
	}{
		{"exact name", []string{"critic"}, "critic", 1, ""},
		{"name with punctuation and case", []string{"`Critic`."}, "critic", 1, ""},
		{"the only name mentioned", []string{"I think the coder should go next"}, "coder", 1, ""},
		{"two names, then one", []string{"coder or critic", "critic"}, "critic", 2, "more than one role (coder, critic)"},
		{"no name, then one", []string{"nobody", "coder"}, "coder", 2, `names none of the roles`},
		{"a member the graph forbids, then one", []string{"planner", "coder"}, "coder", 2, "planner may not speak now"},
		{"never valid falls back to round robin", []string{"x", "y", "z"}, "coder", 3, "names none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			llm, srv := newLLM(t)
			for _, a := range tt.answers {
				srv.Enqueue(openaitest.Response{Content: a})
			}
			planner, coder, critic := trio(t)
			var usage int
			sel := &agents.AutoSelect{LLM: llm, OnUsage: func(u conversation.Usage) { usage += u.TotalTokens }}
			g := conversation.GroupChat{
				Members:     []conversation.Participant{planner, coder, critic},
				Selector:    sel,
				Transitions: conversation.DisallowedTransitions(map[string][]string{"planner": {"planner"}}),
				MaxRounds:   2,
			}
			res, err := g.Run(context.Background(), planner, "Build a CLI.")
			require.NoError(t, err)
			assert.Equal(t, []string{"planner", tt.want}, speakerNames(res.History))
			reqs := srv.Requests()
			require.Len(t, reqs, tt.requests)
			assert.Positive(t, usage)
			sys := reqs[0].Messages[0]
			assert.Equal(t, "system", sys.Role)
			assert.Contains(t, sys.Content, "coder: Writes Python code.")
			assert.Contains(t, reqs[0].LastMessage().Content, "[coder, critic]", "only the allowed candidates are offered")
			if tt.retryMsg != "" {
				assert.Contains(t, reqs[1].LastMessage().Content, tt.retryMsg)
				assert.Equal(t, tt.answers[0], reqs[1].Messages[len(reqs[1].Messages)-2].Content, "the model sees its own wrong answer")
			}
		})
	}
}

func TestAutoSelectModelDown(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(openaitest.Response{Status: 500})
	planner, coder, critic := trio(t)
	g := conversation.GroupChat{Members: []conversation.Participant{planner, coder, critic}, Selector: &agents.AutoSelect{LLM: llm}}
	res, err := g.Run(context.Background(), planner, "go")
	require.ErrorContains(t, err, "auto speaker selection")
	assert.Equal(t, conversation.ReasonError, res.Reason)
}

func TestManualSelect(t *testing.T) {
	tests := []struct {
		name    string
		answers []string
		want    []string
		reason  conversation.StopReason
	}{
		{"by number and by name", []string{"3", "Coder"}, []string{"planner", "critic", "coder"}, conversation.ReasonMaxRounds},
		{"enter lets round robin choose", []string{"", ""}, []string{"planner", "coder", "critic"}, conversation.ReasonMaxRounds},
		{"invalid answers are asked again, then fall back", []string{"9", "bob", "0", "critic"}, []string{"planner", "coder", "critic"}, conversation.ReasonMaxRounds},
		{"exit ends the chat", []string{"exit"}, []string{"planner"}, conversation.ReasonHumanExit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := agents.NewScriptedHuman(tt.answers...)
			planner, coder, critic := trio(t)
			g := conversation.GroupChat{Members: []conversation.Participant{planner, coder, critic}, Selector: &agents.ManualSelect{Human: h}, MaxRounds: 3}
			res, err := g.Run(context.Background(), planner, "go")
			require.NoError(t, err)
			assert.Equal(t, tt.want, speakerNames(res.History))
			assert.Equal(t, tt.reason, res.Reason)
			prompts := h.Prompts()
			require.NotEmpty(t, prompts)
			assert.Contains(t, prompts[0], "2: coder (Writes Python code.)")
		})
	}
	h := agents.NewScriptedHuman("9")
	sel := &agents.ManualSelect{Human: h}
	planner, coder, critic := trio(t)
	g := conversation.GroupChat{Members: []conversation.Participant{planner, coder, critic}, Selector: sel, MaxRounds: 3}
	res, err := g.Run(context.Background(), planner, "go")
	require.ErrorIs(t, err, agents.ErrScriptExhausted)
	assert.Equal(t, conversation.ReasonError, res.Reason)
	assert.Contains(t, h.Prompts()[1], `"9" is not one of the choices`)
}

func TestReflectionSummary(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(openaitest.Response{Content: "  The answer is 377.\n"})
	res := &conversation.Result{History: []conversation.Message{
		{Name: "user", Content: "Compute F(14)."},
		{Name: "writer", Content: "It is 377. TERMINATE"},
	}}
	s, err := agents.ReflectionSummary(llm, "")(context.Background(), res)
	require.NoError(t, err)
	assert.Equal(t, "The answer is 377.", s)
	req := srv.Requests()[0]
	require.Len(t, req.Messages, 3)
	assert.Equal(t, "writer", req.Messages[1].Name)
	assert.Equal(t, agents.DefaultReflectionPrompt, req.LastMessage().Content)

	srv.Enqueue(openaitest.Response{Status: 503})
	_, err = agents.ReflectionSummary(llm, "custom")(context.Background(), res)
	require.ErrorContains(t, err, "reflection summary")
	assert.Equal(t, "custom", srv.Requests()[1].LastMessage().Content)
}

func TestNestedChats(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(
		openaitest.Response{Content: "The code lacks tests."},                                                                              // critic, inner chat 1
		openaitest.Response{Content: "Summary: add tests.", Usage: openaitest.Usage{PromptTokens: 5, CompletionTokens: 2, TotalTokens: 7}}, // reflection
		openaitest.Response{Content: "Rewritten with tests."},                                                                              // editor, inner chat 2
	)
	critic, err := agents.New("critic", agents.WithLLM(llm))
	require.NoError(t, err)
	editor, err := agents.New("editor", agents.WithLLM(llm))
	require.NoError(t, err)
	reviewer, err := agents.New("reviewer", agents.WithReply("nested", &agents.Nested{
		Trigger: func(t *agents.Turn) bool { last, _ := t.Last(); return strings.Contains(last.Content, "code") },
		Chats: []agents.NestedChat{
			{Recipient: critic, Summary: agents.ReflectionSummary(llm, "")},
			{Recipient: editor, Message: func(*agents.Turn) (string, error) { return "Improve it.", nil }},
		},
	}), agents.WithDefaultReply("nothing to review"))
	require.NoError(t, err)
	user := member(t, "user", "thanks TERMINATE", "")

	res, err := conversation.Initiate(context.Background(), user, reviewer, "Here is my code.", conversation.WithMaxTurns(2))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(res.History), 2)
	reply := res.History[1]
	assert.Equal(t, "reviewer", reply.Name)
	assert.Equal(t, "Rewritten with tests.", reply.Content)
	require.NotNil(t, reply.Usage)
	assert.Positive(t, reply.Usage.TotalTokens)

	var rec agents.NestedRecord
	require.NoError(t, json.Unmarshal(reply.Meta[agents.MetaNested], &rec))
	require.Len(t, rec.Chats, 2)
	assert.Equal(t, "Summary: add tests.", rec.Chats[0].Summary)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, "Here is my code.", reqs[0].LastMessage().Content, "the first inner chat starts with the outer message")
	assert.Equal(t, "Improve it.\nContext:\nSummary: add tests.", reqs[2].LastMessage().Content, "the second gets the first one's summary")
	assert.Equal(t, "reviewer", reqs[2].LastMessage().Name)

	// The trigger passes on messages without code, to the next step.
	res, err = conversation.Initiate(context.Background(), user, reviewer, "Hello.", conversation.WithMaxTurns(1))
	require.NoError(t, err)
	assert.Equal(t, "nothing to review", res.History[1].Content)
}
