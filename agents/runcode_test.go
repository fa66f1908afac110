package agents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parallelExecutor echoes each block's stdin and code and records how many
// Execute calls overlapped. Each call holds for a moment so that calls made
// together do overlap when they may.
type parallelExecutor struct {
	mu       sync.Mutex
	running  int
	peak     int
	calls    int
	closed   int
	hold     time.Duration
	failCode string
}

func (p *parallelExecutor) Execute(ctx context.Context, blocks []executors.CodeBlock) (executors.Result, error) {
	p.mu.Lock()
	p.running++
	p.calls++
	p.peak = max(p.peak, p.running)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.running--
		p.mu.Unlock()
	}()
	select {
	case <-time.After(p.hold):
	case <-ctx.Done():
		return executors.Result{}, ctx.Err()
	}
	var res executors.Result
	for _, b := range blocks {
		br := executors.BlockResult{Block: b, Output: fmt.Sprintf("%s ran %q with stdin %q\n", b.Language, b.Code, b.Stdin), Duration: time.Millisecond}
		if b.Code == p.failCode {
			br.ExitCode = 2
		}
		res.Blocks = append(res.Blocks, br)
	}
	return res, nil
}
func (p *parallelExecutor) Restart(context.Context) error { return nil }
func (p *parallelExecutor) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed++
	return nil
}
func (p *parallelExecutor) stats() (calls, peak int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, p.peak
}

func runCodeCall(id, lang, code, stdin string) openaitest.ToolCall {
	args, _ := json.Marshal(agents.RunCodeArgs{Language: lang, Code: code, Stdin: stdin})
	return openaitest.ToolCall{ID: id, Name: agents.RunCodeToolName, Arguments: string(args)}
}

func TestRunCodeToolBatch(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(
		openaitest.Response{ToolCalls: []openaitest.ToolCall{
			runCodeCall("c1", "py", "print(input())", "hello"),
			runCodeCall("c2", "sh", "rm -rf /", ""),
			runCodeCall("c3", "sh", "echo three", ""),
			runCodeCall("c4", "sh", "exit 2", ""),
			runCodeCall("c5", "json", "{}", ""),
			{ID: "c6", Name: agents.RunCodeToolName, Arguments: `{"language": "sh", "code": `},
			runCodeCall("c7", "python", "print(7)", ""),
		}},
		openaitest.Response{Content: "Done. TERMINATE"},
	)
	writer, err := agents.New("writer", agents.WithLLM(llm), agents.WithToolsForLLM(agents.RunCodeTool("python", "sh")))
	require.NoError(t, err)

	ex := &parallelExecutor{hold: 20 * time.Millisecond, failCode: "exit 2"}
	var reviewed []string
	var mu sync.Mutex
	approver := agents.ApproverFunc(func(ctx context.Context, r agents.Review) (agents.Decision, error) {
		mu.Lock()
		defer mu.Unlock()
		reviewed = append(reviewed, r.Block.Code)
		switch r.Block.Code {
		case "rm -rf /":
			return agents.Decision{Action: agents.ActionSkip, Reason: "destructive", By: "policy:test"}, nil
		case "echo three":
			return agents.Decision{Action: agents.ActionRun, Code: "echo 3", By: "human"}, nil
		}
		return agents.Decision{Action: agents.ActionRun, By: "human"}, nil
	})
	var records []agents.ExecutionRecord
	var log eventLog
	executor, err := agents.New("executor", agents.WithEvents(log.add), agents.WithCodeExecution(agents.CodeExecution{
		Executor:    ex,
		Approver:    approver,
		Describe:    "fake",
		MaxParallel: 2,
		OnRecord:    func(_ context.Context, rec agents.ExecutionRecord) { records = append(records, rec) },
	}))
	require.NoError(t, err)

	res, err := conversation.Initiate(context.Background(), executor, writer, "Run some code.")
	require.NoError(t, err)
	assert.Equal(t, conversation.ReasonTermination, res.Reason)
	require.Len(t, res.History, 4)
	out := res.History[2]
	assert.Equal(t, conversation.OriginTool, out.Origin)
	require.Len(t, out.ToolResponses, 7)
	byID := map[string]conversation.ToolResponse{}
	for _, r := range out.ToolResponses {
		byID[r.ToolCallID] = r
	}
	assert.Equal(t, "exitcode: 0 (execution succeeded)\nCode output: python ran \"print(input())\" with stdin \"hello\"\n", byID["c1"].Content)
	assert.False(t, byID["c1"].IsError)
	assert.True(t, byID["c2"].IsError)
	assert.Contains(t, byID["c2"].Content, "not run: the reviewer skipped it: destructive")
	assert.Contains(t, byID["c3"].Content, `ran "echo 3"`)
	assert.Contains(t, byID["c3"].Content, "The reviewer edited the code")
	assert.True(t, byID["c4"].IsError)
	assert.Contains(t, byID["c4"].Content, "exitcode: 2")
	assert.Contains(t, byID["c5"].Content, `cannot run language "json"`)
	assert.Contains(t, byID["c6"].Content, "not a valid JSON object")
	assert.Contains(t, byID["c7"].Content, `ran "print(7)"`)

	assert.Equal(t, []string{"print(input())", "rm -rf /", "echo three", "exit 2", "print(7)"}, reviewed, "reviewed one by one, in call order; bad calls are not reviewed")
	calls, peak := ex.stats()
	assert.Equal(t, 4, calls)
	assert.Equal(t, 2, peak, "approved calls run in parallel, at most MaxParallel at once")

	require.Len(t, records, 1, "one audit record for the batch")
	rec := records[0]
	require.Len(t, rec.Blocks, 5)
	assert.Equal(t, "c2", rec.Blocks[1].ToolCallID)
	assert.Nil(t, rec.Blocks[1].Ran)
	require.NotNil(t, rec.Result)
	assert.Len(t, rec.Result.Blocks, 4)
	var metaRec agents.ExecutionRecord
	require.NoError(t, json.Unmarshal(out.Meta[agents.MetaExecution], &metaRec))
	assert.Equal(t, rec.Blocks[0].ToolCallID, metaRec.Blocks[0].ToolCallID)

	assert.Len(t, eventsOf[*agents.BlockReviewedEvent](&log), 5)
	assert.Len(t, eventsOf[*agents.ExecutionStartedEvent](&log), 4)
	finished := eventsOf[*agents.ExecutionFinishedEvent](&log)
	require.Len(t, finished, 4)
	for _, f := range finished {
		assert.Equal(t, "executor", f.Agent)
		assert.NotEmpty(t, f.CallID)
	}

	acc := agents.Accounting(res, nil)
	assert.Equal(t, 1, acc.Executions)
	assert.Equal(t, 4, acc.Blocks)
	assert.Equal(t, rec.Duration, acc.ExecutorTime)
	assert.Equal(t, rec.Duration, acc.ByAgent["executor"].ExecutorTime)

	// The model sees every result as a tool message for its call.
	msgs := srv.Requests()[1].Messages
	var toolIDs []string
	for _, m := range msgs {
		if m.Role == "tool" {
			toolIDs = append(toolIDs, m.ToolCallID)
		}
	}
	assert.Equal(t, []string{"c1", "c2", "c3", "c4", "c5", "c6", "c7"}, toolIDs)
	params := string(srv.Requests()[0].Tools[0].Function.Parameters)
	assert.Contains(t, params, `"enum":["python","sh"]`)
}

func runCodeChat(t *testing.T, calls ...openaitest.ToolCall) (*conversation.Chat, []conversation.ToolCall) {
	t.Helper()
	chat := conversation.NewChat("", "writer", "executor")
	var cs []conversation.ToolCall
	for _, c := range calls {
		cs = append(cs, conversation.ToolCall{ID: c.ID, Name: c.Name, Arguments: c.Arguments})
	}
	require.NoError(t, chat.Append(conversation.Message{Name: "writer", ToolCalls: cs}))
	return chat, cs
}

func TestRunCodeToolRefusalsAndAbort(t *testing.T) {
	ex := &parallelExecutor{}
	noApprover := newExecutorAgent(t, ex, nil)
	chat, _ := runCodeChat(t, runCodeCall("c1", "sh", "echo hi", ""))
	_, err := noApprover.Reply(context.Background(), chat)
	var stop *conversation.StopError
	require.ErrorAs(t, err, &stop)
	assert.Equal(t, conversation.ReasonRefused, stop.Reason)

	aborter := newExecutorAgent(t, ex, agents.ApproverFunc(func(context.Context, agents.Review) (agents.Decision, error) {
		return agents.Decision{Action: agents.ActionAbort, Reason: "no", By: "human"}, nil
	}))
	_, err = aborter.Reply(context.Background(), chat)
	require.ErrorAs(t, err, &stop)
	assert.Equal(t, conversation.ReasonAborted, stop.Reason)
	calls, _ := ex.stats()
	assert.Zero(t, calls)

	// Without code execution run_code is an unknown tool like any other.
	plain, err := agents.New("executor", agents.WithToolsForExecution(addTool(t)))
	require.NoError(t, err)
	m, err := plain.Reply(context.Background(), chat)
	require.NoError(t, err)
	assert.Contains(t, m.ToolResponses[0].Content, `unknown tool "run_code"`)
}

func TestRunCodeToolPoolOfPerChatExecutors(t *testing.T) {
	var mu sync.Mutex
	var opened []*parallelExecutor
	executor, err := agents.New("executor", agents.WithCodeExecution(agents.CodeExecution{
		NewExecutor: func(ctx context.Context) (executors.Executor, error) {
			mu.Lock()
			defer mu.Unlock()
			ex := &parallelExecutor{hold: 20 * time.Millisecond}
			opened = append(opened, ex)
			return ex, nil
		},
		Approver:    agents.AutoApprove(),
		MaxParallel: 3,
	}))
	require.NoError(t, err)
	var calls []openaitest.ToolCall
	for i := range 6 {
		calls = append(calls, runCodeCall(fmt.Sprint(i), "sh", fmt.Sprintf("echo %d", i), ""))
	}
	writer := conversation.ParticipantFunc{ParticipantName: "writer", Func: func(ctx context.Context, chat *conversation.Chat) (conversation.Message, error) {
		return conversation.Message{Content: "TERMINATE"}, nil
	}}
	var cs []conversation.ToolCall
	for _, c := range calls {
		cs = append(cs, conversation.ToolCall{ID: c.ID, Name: c.Name, Arguments: c.Arguments})
	}
	res, err := conversation.InitiateMessage(context.Background(), writer, executor, conversation.Message{ToolCalls: cs})
	require.NoError(t, err)
	require.Len(t, res.History[1].ToolResponses, 6)
	for i, r := range res.History[1].ToolResponses {
		assert.Contains(t, r.Content, fmt.Sprintf("echo %d", i))
	}
	mu.Lock()
	defer mu.Unlock()
	assert.LessOrEqual(t, len(opened), 3, "at most MaxParallel executors per chat")
	assert.Greater(t, len(opened), 1, "calls spread over several executors")
	total := 0
	for _, ex := range opened {
		c, peak := ex.stats()
		total += c
		assert.Equal(t, 1, peak, "an executor of the pool runs one call at a time")
		assert.Equal(t, 1, ex.closed, "every executor is closed when the chat ends")
	}
	assert.Equal(t, 6, total)
}

func TestEventsOfAChat(t *testing.T) {
	llm, srv := newLLM(t)
	srv.Enqueue(
		openaitest.Response{Content: "```sh\necho hi\n```", Usage: openaitest.Usage{PromptTokens: 10, CompletionTokens: 4, TotalTokens: 14}},
		openaitest.Response{Content: "All good. TERMINATE", Usage: openaitest.Usage{PromptTokens: 20, CompletionTokens: 4, TotalTokens: 24}},
	)
	var writerLog, chatLog eventLog
	writer, err := agents.New("writer", agents.WithLLM(llm), agents.WithEvents(writerLog.add))
	require.NoError(t, err)
	ex := &fakeExecutor{output: "hi\n"}
	executor := newExecutorAgent(t, ex, agents.AutoApprove())

	ctx := agents.ContextWithEvents(context.Background(), chatLog.add)
	res, err := conversation.Initiate(ctx, executor, writer, "say hi", conversation.WithChatID("chat-1"))
	require.NoError(t, err)

	var tokens strings.Builder
	for _, tok := range eventsOf[*agents.TokenEvent](&writerLog) {
		tokens.WriteString(tok.Token)
		assert.Equal(t, "writer", tok.Agent)
	}
	assert.Equal(t, "```sh\necho hi\n```All good. TERMINATE", tokens.String(), "subscribing to events streams the model's reply")
	assert.True(t, srv.Requests()[0].Stream)
	assert.Len(t, eventsOf[*agents.MessageEvent](&writerLog), 2)
	assert.Empty(t, eventsOf[*agents.ExecutionStartedEvent](&writerLog), "an agent's subscriber sees only that agent")

	var kinds []string
	for _, ev := range chatLog.all() {
		if _, ok := ev.(*agents.TokenEvent); ok {
			continue
		}
		assert.Equal(t, "chat-1", ev.Header().ChatID)
		assert.False(t, ev.Header().Time.IsZero())
		kinds = append(kinds, fmt.Sprintf("%T:%s", ev, ev.Header().Agent))
	}
	assert.Equal(t, []string{
		"*agents.MessageEvent:writer",
		"*agents.BlockReviewedEvent:executor",
		"*agents.ExecutionStartedEvent:executor",
		"*agents.ExecutionFinishedEvent:executor",
		"*agents.MessageEvent:executor",
		"*agents.MessageEvent:writer",
	}, kinds)

	acc := agents.Accounting(res, agents.Prices{"test": {Prompt: 1, Completion: 2}})
	assert.Equal(t, 38, acc.Usage.TotalTokens)
	assert.Equal(t, res.Usage, acc.Usage)
	assert.InDelta(t, (30*1+8*2)/1e6, acc.Cost, 1e-12, "test-model is priced as test")
	assert.Empty(t, acc.Unpriced)
	assert.Equal(t, 38, acc.ByAgent["writer"].Usage.TotalTokens)
	assert.Equal(t, 1, acc.ByAgent["executor"].Executions)
}

func TestEventQueueNeverBlocks(t *testing.T) {
	q := agents.NewEventQueue(2)
	for range 5 {
		q.Emit(&agents.TokenEvent{Token: "x"})
	}
	assert.Equal(t, int64(3), q.Dropped())
	q.Close()
	q.Close()
	q.Emit(&agents.TokenEvent{Token: "late"})
	n := 0
	for range q.Events() {
		n++
	}
	assert.Equal(t, 2, n)
	assert.Equal(t, int64(4), q.Dropped())
}

func TestAccountingPrices(t *testing.T) {
	res := &conversation.Result{History: []conversation.Message{
		{Name: "a", Usage: &conversation.Usage{Model: "gpt-4o-mini-2024-07-18", PromptTokens: 1000, CompletionTokens: 500, TotalTokens: 1500}},
		{Name: "a", Usage: &conversation.Usage{Model: "gpt-4o", PromptTokens: 1000, CompletionTokens: 0, TotalTokens: 1000}},
		{Name: "b", Usage: &conversation.Usage{Model: "local-llama", PromptTokens: 10, CompletionTokens: 10, TotalTokens: 20}},
	}}
	acc := agents.Accounting(res, agents.Prices{
		"gpt-4o":      {Prompt: 2.5, Completion: 10},
		"gpt-4o-mini": {Prompt: 0.15, Completion: 0.6},
	})
	assert.InDelta(t, 1000*0.15/1e6+500*0.6/1e6+1000*2.5/1e6, acc.Cost, 1e-12, "the longest matching prefix prices a dated model")
	assert.Equal(t, []string{"local-llama"}, acc.Unpriced)
	assert.Equal(t, 2520, acc.Usage.TotalTokens)
	assert.Zero(t, acc.ByAgent["b"].Cost)
}
