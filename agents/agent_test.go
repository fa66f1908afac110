package agents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fibReply = "Here is the code:\n\n```python\n# filename: fib.py\nprint(377)\n```\n"

func newExecutorAgent(t *testing.T, ex executors.Executor, ap agents.Approver, opts ...agents.Option) *agents.ConversableAgent {
	t.Helper()
	a, err := agents.New("executor", append([]agents.Option{agents.WithCodeExecution(agents.CodeExecution{Executor: ex, Approver: ap})}, opts...)...)
	require.NoError(t, err)
	return a
}

func TestWriterAndExecutorChat(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(
		openaitest.Response{Content: fibReply, Usage: openaitest.Usage{PromptTokens: 10, CompletionTokens: 5, TotalTokens: 15}},
		openaitest.Response{Content: "The answer is 377. TERMINATE", Usage: openaitest.Usage{PromptTokens: 20, CompletionTokens: 5, TotalTokens: 25}},
	)
	writer, err := agents.New("writer", agents.WithLLM(llm), agents.WithSystemMessage("You write Python."))
	require.NoError(t, err)
	ex := &fakeExecutor{output: "377\n"}
	executor := newExecutorAgent(t, ex, agents.AutoApprove())

	res, err := conversation.Initiate(context.Background(), executor, writer, "Calculate the 14th Fibonacci number.")
	require.NoError(t, err)
	assert.Equal(t, conversation.ReasonTermination, res.Reason)
	require.Len(t, res.History, 4)
	assert.Equal(t, "exitcode: 0 (execution succeeded)\nCode output: 377\n", res.History[2].Content)
	assert.Equal(t, conversation.OriginCode, res.History[2].Origin)
	assert.Equal(t, 40, res.Usage.TotalTokens)
	assert.Equal(t, 40, res.UsageByAgent["writer"].TotalTokens)

	require.Len(t, ex.ran(), 1)
	assert.Equal(t, executors.CodeBlock{Language: "python", Code: "# filename: fib.py\nprint(377)\n", Filename: "fib.py"}, ex.ran()[0][0])

	// The second request shows the chat from the writer's point of view.
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	var roles []string
	for _, m := range reqs[1].Messages {
		roles = append(roles, m.Role+":"+m.Name)
	}
	assert.Equal(t, []string{"system:", "user:executor", "assistant:", "user:executor"}, roles)

	var rec agents.ExecutionRecord
	require.NoError(t, json.Unmarshal(res.History[2].Meta[agents.MetaExecution], &rec))
	assert.Equal(t, "auto", rec.Blocks[0].Decision.By)
}

func TestExecutorPassesMessagesWithoutCode(t *testing.T) {
	ex := &fakeExecutor{}
	executor := newExecutorAgent(t, ex, agents.AutoApprove(), agents.WithDefaultReply("no code found"))
	for _, content := range []string{"just words", "```json\n{\"a\":1}\n```", "```text\nhello\n```"} {
		chat := conversation.NewChat("", "writer", "executor")
		require.NoError(t, chat.Append(conversation.Message{Name: "writer", Content: content}))
		m, err := executor.Reply(context.Background(), chat)
		require.NoError(t, err)
		assert.Equal(t, "no code found", m.Content, content)
	}
	assert.Empty(t, ex.ran())
}

func TestExecutorWithoutApproverRefuses(t *testing.T) {
	ex := &fakeExecutor{}
	executor := newExecutorAgent(t, ex, nil)
	chat := conversation.NewChat("", "writer", "executor")
	require.NoError(t, chat.Append(conversation.Message{Name: "writer", Content: fibReply}))
	_, err := executor.Reply(context.Background(), chat)
	var stop *conversation.StopError
	require.ErrorAs(t, err, &stop)
	assert.Equal(t, conversation.ReasonRefused, stop.Reason)
	assert.Contains(t, stop.Detail, "no approver")
	assert.Empty(t, ex.ran(), "nothing runs without an approver")
}

func TestApproverDecisions(t *testing.T) {
	twoBlocks := "```sh\necho one\n```\n\n```python\nprint('two')\n```\n\n```bash\necho three\n```"
	decide := func(ds ...agents.Decision) agents.Approver {
		var mu sync.Mutex
		return agents.ApproverFunc(func(ctx context.Context, r agents.Review) (agents.Decision, error) {
			mu.Lock()
			defer mu.Unlock()
			d := ds[0]
			ds = ds[1:]
			return d, nil
		})
	}
	tests := []struct {
		name     string
		approver agents.Approver
		ran      []string
		contains string
		stop     conversation.StopReason
	}{
		{name: "skip with reason", approver: decide(
			agents.Decision{Action: agents.ActionRun, By: "human"},
			agents.Decision{Action: agents.ActionSkip, Reason: "no python today", By: "human"},
			agents.Decision{Action: agents.ActionRun, By: "human"}),
			ran: []string{"echo one\n", "echo three\n"}, contains: "Block 2 (python) was not run: the reviewer skipped it: no python today"},
		{name: "edit", approver: decide(
			agents.Decision{Action: agents.ActionRun, Code: "echo edited\n", By: "human"},
			agents.Decision{Action: agents.ActionSkip, By: "human"},
			agents.Decision{Action: agents.ActionSkip, By: "human"}),
			ran: []string{"echo edited\n"}, contains: "Block 1 was edited"},
		{name: "run rest asks once", approver: decide(agents.Decision{Action: agents.ActionRunRest, By: "human"}),
			ran: []string{"echo one\n", "print('two')\n", "echo three\n"}},
		{name: "abort", approver: decide(agents.Decision{Action: agents.ActionSkip, By: "human"}, agents.Decision{Action: agents.ActionAbort, Reason: "looks dangerous", By: "human"}),
			stop: conversation.ReasonAborted},
		{name: "all skipped", approver: agents.DenyAll("policy says no"),
			contains: "no code was run"},
		{name: "chain of passing approvers skips", approver: agents.Chain(agents.ApproverFunc(func(context.Context, agents.Review) (agents.Decision, error) {
			return agents.Decision{Action: agents.ActionPass, Advice: []string{"uses the network"}}, nil
		})), contains: "no approver approved the block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ex := &fakeExecutor{output: "ok\n"}
			executor := newExecutorAgent(t, ex, tt.approver)
			chat := conversation.NewChat("", "writer", "executor")
			require.NoError(t, chat.Append(conversation.Message{Name: "writer", Content: twoBlocks}))
			m, err := executor.Reply(context.Background(), chat)
			if tt.stop != "" {
				var stop *conversation.StopError
				require.ErrorAs(t, err, &stop)
				assert.Equal(t, tt.stop, stop.Reason)
				assert.Empty(t, ex.ran())
				return
			}
			require.NoError(t, err)
			var ran []string
			for _, call := range ex.ran() {
				for _, b := range call {
					ran = append(ran, b.Code)
				}
			}
			assert.Equal(t, tt.ran, ran)
			assert.Contains(t, m.Content, tt.contains)
		})
	}
}

func TestHumanInputModes(t *testing.T) {
	echoer := func() *agents.ConversableAgent {
		a, err := agents.New("assistant", agents.WithReply("echo", agents.ReplyFunc(func(ctx context.Context, t *agents.Turn) (conversation.Message, bool, error) {
			last, _ := t.Last()
			return conversation.Message{Content: "echo " + last.Content}, true, nil
		})))
		require.NoError(t, err)
		return a
	}
	autoUser := func(mode agents.HumanInputMode, h agents.Human, opts ...agents.Option) *agents.ConversableAgent {
		a, err := agents.New("user", append([]agents.Option{agents.WithHumanInput(mode, h), agents.WithDefaultReply("auto")}, opts...)...)
		require.NoError(t, err)
		return a
	}

	t.Run("ALWAYS: text is sent, Enter lets the agent answer, exit ends", func(t *testing.T) {
		h := agents.NewScriptedHuman("typed by human", "", "exit")
		res, err := conversation.Initiate(context.Background(), autoUser(agents.HumanAlways, h), echoer(), "start")
		require.NoError(t, err)
		assert.Equal(t, conversation.ReasonHumanExit, res.Reason)
		assert.Equal(t, []string{"start", "echo start", "typed by human", "echo typed by human", "auto", "echo auto"}, contentsOf(res.History))
		assert.Equal(t, conversation.OriginHuman, res.History[2].Origin)
		assert.Len(t, h.Prompts(), 3)
	})
	t.Run("TERMINATE: asked only when the chat would end", func(t *testing.T) {
		h := agents.NewScriptedHuman("please also explain", "")
		assistant, err := agents.New("assistant", agents.WithReply("done", agents.ReplyFunc(func(context.Context, *agents.Turn) (conversation.Message, bool, error) {
			return conversation.Message{Content: "done TERMINATE"}, true, nil
		})))
		require.NoError(t, err)
		res, err := conversation.Initiate(context.Background(), autoUser(agents.HumanTerminate, h), assistant, "start")
		require.NoError(t, err)
		assert.Equal(t, conversation.ReasonTermination, res.Reason)
		assert.Equal(t, []string{"start", "done TERMINATE", "please also explain", "done TERMINATE"}, contentsOf(res.History))
		assert.Len(t, h.Prompts(), 2)
	})
	t.Run("TERMINATE: asked at the auto-reply limit", func(t *testing.T) {
		h := agents.NewScriptedHuman("keep going", "")
		res, err := conversation.Initiate(context.Background(), autoUser(agents.HumanTerminate, h, agents.WithMaxConsecutiveAutoReply(2)), echoer(), "start")
		require.NoError(t, err)
		assert.Equal(t, conversation.ReasonMaxAutoReply, res.Reason)
		assert.Equal(t, []string{"start", "echo start", "auto", "echo auto", "auto", "echo auto", "keep going", "echo keep going", "auto", "echo auto", "auto", "echo auto"}, contentsOf(res.History))
	})
	t.Run("NEVER: ends at the auto-reply limit without asking", func(t *testing.T) {
		res, err := conversation.Initiate(context.Background(), autoUser(agents.HumanNever, nil, agents.WithMaxConsecutiveAutoReply(3)), echoer(), "start")
		require.NoError(t, err)
		assert.Equal(t, conversation.ReasonMaxAutoReply, res.Reason)
		assert.Len(t, res.History, 8)
	})
	t.Run("a mode that asks needs a human", func(t *testing.T) {
		_, err := agents.New("user", agents.WithHumanInput(agents.HumanAlways, nil))
		require.ErrorContains(t, err, "needs a Human")
	})
}

func contentsOf(ms []conversation.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Content
	}
	return out
}

func TestToolCalls(t *testing.T) {
	add := agents.Tool{Name: "add", Description: "adds", Func: func(ctx context.Context, args json.RawMessage) (string, error) {
		var in struct{ A, B int }
		if err := json.Unmarshal(args, &in); err != nil {
			return "", err
		}
		return fmt.Sprint(in.A + in.B), nil
	}}
	boom := agents.Tool{Name: "boom", Func: func(context.Context, json.RawMessage) (string, error) { panic("kaboom") }}
	runner, err := agents.New("runner", agents.WithToolsForExecution(add, boom))
	require.NoError(t, err)
	chat := conversation.NewChat("", "caller", "runner")
	require.NoError(t, chat.Append(conversation.Message{Name: "caller", ToolCalls: []conversation.ToolCall{
		{ID: "1", Name: "add", Arguments: `{"A":2,"B":3}`},
		{ID: "2", Name: "nope", Arguments: `{}`},
		{ID: "3", Name: "add", Arguments: `{"A":`},
		{ID: "4", Name: "boom", Arguments: `{}`},
	}}))
	m, err := runner.Reply(context.Background(), chat)
	require.NoError(t, err)
	require.Len(t, m.ToolResponses, 4)
	assert.Equal(t, conversation.ToolResponse{ToolCallID: "1", Name: "add", Content: "5"}, m.ToolResponses[0])
	assert.Contains(t, m.ToolResponses[1].Content, `unknown tool "nope"`)
	assert.Contains(t, m.ToolResponses[2].Content, "not valid JSON")
	assert.Contains(t, m.ToolResponses[3].Content, "panicked")
}

func TestOneAgentManyChats(t *testing.T) {
	llm, _ := newLLM(t, openaitest.WithResponder(func(r openaitest.Request) openaitest.Response {
		return openaitest.Response{Content: "```sh\necho " + strings.Fields(r.Messages[1].Content)[1] + "\n```"}
	}))
	writer, err := agents.New("writer", agents.WithLLM(llm), agents.WithSystemMessage("sys"))
	require.NoError(t, err)
	executor, err := agents.New("executor", agents.WithCodeExecution(agents.CodeExecution{
		NewExecutor: func(ctx context.Context) (executors.Executor, error) {
			return &fakeExecutor{output: "ok"}, nil
		},
		Approver: agents.AutoApprove(),
	}))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := conversation.Initiate(context.Background(), executor, writer, fmt.Sprintf("task %d", i), conversation.WithMaxTurns(2))
			assert.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("```sh\necho %d\n```", i), res.History[1].Content)
		}()
	}
	wg.Wait()
}

func TestReplyChainOrder(t *testing.T) {
	a, err := agents.New("a", agents.WithReply("mine", agents.ReplyFunc(func(context.Context, *agents.Turn) (conversation.Message, bool, error) {
		return conversation.Message{}, false, nil
	})))
	require.NoError(t, err)
	assert.Equal(t, []string{"mine", agents.StepHuman, agents.StepToolCalls, agents.StepCodeExecution, agents.StepLLM, agents.StepDefault}, a.ReplyChain())
	_, err = agents.New("  ")
	require.Error(t, err)
}

func TestExecutorDoesNotRunCutOffBlocks(t *testing.T) {
	ex := &fakeExecutor{output: "ok\n"}
	executor := newExecutorAgent(t, ex, agents.AutoApprove())

	chat := conversation.NewChat("", "writer", "executor")
	require.NoError(t, chat.Append(conversation.Message{Name: "writer", Content: "```python\nfor i in range(3):\n    print("}))
	m, err := executor.Reply(context.Background(), chat)
	require.NoError(t, err)
	assert.Empty(t, ex.ran(), "an unclosed block may be cut mid-statement and must not run")
	assert.Contains(t, m.Content, "exitcode: 1 (execution failed)")
	assert.Contains(t, m.Content, "no closing fence")

	chat = conversation.NewChat("", "writer", "executor")
	require.NoError(t, chat.Append(conversation.Message{Name: "writer", Content: "```sh\necho whole\n```\n\n```python\nprint('cut"}))
	m, err = executor.Reply(context.Background(), chat)
	require.NoError(t, err)
	require.Len(t, ex.ran(), 1)
	assert.Equal(t, "echo whole\n", ex.ran()[0][0].Code, "the complete block still runs")
	assert.Contains(t, m.Content, "no closing fence")
}
