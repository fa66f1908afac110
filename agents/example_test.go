package agents_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/local"
)

// A writer agent backed by a model and a code-executor agent with no model
// solve a task together. The model here is an in-process OpenAI-compatible
// server; point agents.OpenAIConfig at a real endpoint instead.
func Example() {
	srv := openaitest.NewServer(openaitest.Replay([]openaitest.Response{
		{Content: "```python\na, b = 0, 1\nfor _ in range(14):\n    a, b = b, a + b\nprint(a)\n```"},
		{Content: "The 14th Fibonacci number is 377. TERMINATE"},
	}))
	defer srv.Close()

	llm, err := agents.NewOpenAI(agents.OpenAIConfig{BaseURL: srv.URL(), APIKey: "key", Model: "any"})
	if err != nil {
		fmt.Println(err)
		return
	}
	writer, _ := agents.New("writer", agents.WithLLM(llm), agents.WithSystemMessage("Write Python code."))

	exec, err := local.New(local.Config{Limits: executors.Limits{Timeout: 30 * time.Second}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer exec.Close()
	runner, _ := agents.New("executor", agents.WithCodeExecution(agents.CodeExecution{
		Executor: exec,
		Approver: agents.AutoApprove(), // an explicit choice; use a human or a policy otherwise
	}))

	res, err := conversation.Initiate(context.Background(), runner, writer,
		"Write Python code to calculate the 14th Fibonacci number.", conversation.WithMaxTurns(5))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.History[2].Content)
	fmt.Println(res.Reason, "-", res.Summary)
	// Output:
	// exitcode: 0 (execution succeeded)
	// Code output: 377
	//
	// termination - The 14th Fibonacci number is 377. TERMINATE
}

// Approvers compose: a policy can advise or deny, and a human (or, here, an
// explicit auto-approval) decides.
func ExampleChain() {
	flagNetwork := agents.ApproverFunc(func(ctx context.Context, r agents.Review) (agents.Decision, error) {
		return agents.Decision{Action: agents.ActionPass, Advice: []string{"looked at " + r.Block.Language}}, nil
	})
	approver := agents.Chain(flagNetwork, agents.AutoApprove())
	d, _ := approver.Review(context.Background(), agents.Review{Block: executors.CodeBlock{Language: "sh", Code: "echo hi"}})
	fmt.Println(d.Action, d.By, d.Advice)
	// Output: run auto [looked at sh]
}
