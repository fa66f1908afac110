package agents_test

import (
	"context"
	"fmt"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
)

func ExampleAutoSelect() {
	// A stand-in model that always wants the critic; a real one would be
	// agents.NewOpenAI.
	model := agents.LLMFunc(func(context.Context, agents.LLMRequest) (agents.LLMResponse, error) {
		return agents.LLMResponse{Content: "critic"}, nil
	})
	coder, _ := agents.New("coder", agents.WithDescription("Writes code."), agents.WithDefaultReply("code"))
	critic, _ := agents.New("critic", agents.WithDescription("Reviews code."), agents.WithDefaultReply("LGTM TERMINATE"))
	g := conversation.GroupChat{
		Members:  []conversation.Participant{coder, critic},
		Selector: &agents.AutoSelect{LLM: model},
	}
	res, _ := g.Run(context.Background(), coder, "Here is my patch.")
	for _, m := range res.History {
		fmt.Printf("%s: %s\n", m.Name, m.Content)
	}
	// Output:
	// coder: Here is my patch.
	// critic: LGTM TERMINATE
}

func ExampleNested() {
	critic, _ := agents.New("critic", agents.WithDefaultReply("Add error handling."))
	// The reviewer answers each message by asking the critic in an inner
	// chat and replying with what came of it.
	reviewer, _ := agents.New("reviewer", agents.WithReply("nested", &agents.Nested{
		Chats: []agents.NestedChat{{Recipient: critic}},
	}))
	user, _ := agents.New("user", agents.WithDefaultReply("Thanks. TERMINATE"))
	res, _ := conversation.Initiate(context.Background(), user, reviewer, "Please review my code.")
	for _, m := range res.History {
		fmt.Printf("%s: %s\n", m.Name, m.Content)
	}
	// Output:
	// user: Please review my code.
	// reviewer: Add error handling.
	// user: Thanks. TERMINATE
}

func ExampleReflectionSummary() {
	model := agents.LLMFunc(func(_ context.Context, req agents.LLMRequest) (agents.LLMResponse, error) {
		return agents.LLMResponse{Content: fmt.Sprintf("%d messages read.", len(req.Messages)-1)}, nil
	})
	res := &conversation.Result{History: []conversation.Message{{Name: "a", Content: "hi"}, {Name: "b", Content: "hello"}}}
	s, _ := agents.ReflectionSummary(model, "")(context.Background(), res)
	fmt.Println(s)
	// Output: 2 messages read.
}
