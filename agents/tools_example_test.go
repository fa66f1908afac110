package agents_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
)

func ExampleNewTool() {
	type weather struct {
		City string `json:"city" description:"the city, e.g. Paris"`
		Unit string `json:"unit,omitempty" enum:"celsius,fahrenheit"`
	}
	tool, err := agents.NewTool("get_weather", "Current weather of a city.", func(ctx context.Context, w weather) (string, error) {
		return "sunny in " + w.City, nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	schema, _ := json.Marshal(tool.Parameters)
	fmt.Println(string(schema))
	out, _ := tool.Func(context.Background(), json.RawMessage(`{"city": "Paris"}`))
	fmt.Println(out)
	_, err = tool.Func(context.Background(), json.RawMessage(`{"unit": "celsius"}`))
	fmt.Println(err)
	// Output:
	// {"additionalProperties":false,"properties":{"city":{"description":"the city, e.g. Paris","type":"string"},"unit":{"enum":["celsius","fahrenheit"],"type":"string"}},"required":["city"],"type":"object"}
	// sunny in Paris
	// missing required argument(s): city
}

// A writer whose model calls run_code, and an executor that reviews and runs
// the calls; ContextWithEvents prints what happens.
func ExampleContextWithEvents() {
	srv := openaitest.NewServer(openaitest.WithAPIKey("k"))
	defer srv.Close()
	args, _ := json.Marshal(agents.RunCodeArgs{Language: "sh", Code: "echo hi"})
	srv.Enqueue(
		openaitest.Response{ToolCalls: []openaitest.ToolCall{{ID: "call_1", Name: agents.RunCodeToolName, Arguments: string(args)}}},
		openaitest.Response{Content: "It printed hi. TERMINATE"},
	)
	llm, _ := agents.NewOpenAI(agents.OpenAIConfig{BaseURL: srv.URL(), APIKey: "k", Model: "m"})
	writer, _ := agents.New("writer", agents.WithLLM(llm), agents.WithToolsForLLM(agents.RunCodeTool("sh")))
	executor, _ := agents.New("executor", agents.WithCodeExecution(agents.CodeExecution{
		Executor: &fakeExecutor{output: "hi\n"},
		Approver: agents.AutoApprove(),
	}))

	ctx := agents.ContextWithEvents(context.Background(), func(ev agents.Event) {
		switch e := ev.(type) {
		case *agents.MessageEvent:
			if len(e.Message.ToolCalls) > 0 {
				fmt.Printf("%s calls %s\n", e.Agent, e.Message.ToolCalls[0].Name)
			} else if len(e.Message.ToolResponses) > 0 {
				fmt.Printf("%s answers %q\n", e.Agent, e.Message.ToolResponses[0].Content)
			} else {
				fmt.Printf("%s says %q\n", e.Agent, e.Message.Content)
			}
		case *agents.BlockReviewedEvent:
			fmt.Printf("%s: %s by %s\n", e.Review.Block.Code, e.Decision.Action, e.Decision.By)
		case *agents.ExecutionFinishedEvent:
			fmt.Printf("exit code %d\n", e.Result.ExitCode())
		}
	})
	res, err := conversation.Initiate(ctx, executor, writer, "Say hi in sh.")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Reason)
	// Output:
	// writer calls run_code
	// echo hi: run by auto
	// exit code 0
	// executor answers "exitcode: 0 (execution succeeded)\nCode output: hi\n"
	// writer says "It printed hi. TERMINATE"
	// termination
}

func ExampleAccounting() {
	res := &conversation.Result{History: []conversation.Message{
		{Name: "user", Content: "Compute F(14)."},
		{Name: "writer", Content: "print(377)", Usage: &conversation.Usage{Model: "gpt-4o-mini-2024-07-18", PromptTokens: 1200, CompletionTokens: 300, TotalTokens: 1500}},
	}}
	acc := agents.Accounting(res, agents.Prices{"gpt-4o-mini": {Prompt: 0.15, Completion: 0.60}})
	fmt.Printf("%d tokens, $%.6f\n", acc.Usage.TotalTokens, acc.Cost)
	// Output:
	// 1500 tokens, $0.000360
}
