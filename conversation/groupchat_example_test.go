package conversation_test

import (
	"context"
	"fmt"

	"github.com/parley-go/parley/conversation"
)

// say returns a participant that always answers with text.
func say(name, text string) conversation.Participant {
	return conversation.ParticipantFunc{ParticipantName: name, Func: func(context.Context, *conversation.Chat) (conversation.Message, error) {
		return conversation.Message{Content: text}, nil
	}}
}

func ExampleGroupChat_Run() {
	planner := say("planner", "Plan: write, then review.")
	coder := say("coder", "Here is the code.")
	critic := say("critic", "Looks good. TERMINATE")
	g := conversation.GroupChat{
		Members: []conversation.Participant{planner, coder, critic},
		// The planner hands over to the coder, the coder to the critic.
		Transitions: conversation.AllowedTransitions(map[string][]string{
			"planner": {"coder"}, "coder": {"critic"}, "critic": {"planner", "coder"},
		}),
		MaxRounds: 10,
	}
	res, err := g.Run(context.Background(), planner, "Let's build a CLI.")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range res.History {
		fmt.Printf("%s: %s\n", m.Name, m.Content)
	}
	fmt.Println("ended:", res.Reason)
	// Output:
	// planner: Let's build a CLI.
	// coder: Here is the code.
	// critic: Looks good. TERMINATE
	// ended: termination
}

func ExampleRunSequential() {
	user := say("user", "")
	results, err := conversation.RunSequential(context.Background(), []conversation.SequentialChat{
		{Initiator: user, Recipient: say("researcher", "The answer is 42. TERMINATE"), Message: "Find the answer."},
		{Initiator: user, Recipient: say("writer", "Done."), Message: "Write a poem about it."},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(results[0].Summary)
	fmt.Println(results[1].History[0].Content)
	// Output:
	// The answer is 42.
	// Write a poem about it.
	// Context:
	// The answer is 42.
}

func ExampleResume() {
	// A chat stopped (or crashed) with its transcript in chat.jsonl; pick
	// it up where it stopped, appending to the same file.
	r, err := conversation.Resume("chat.jsonl")
	if err != nil {
		fmt.Println("nothing to resume:", err != nil)
		return
	}
	defer r.Close()
	res, err := conversation.Initiate(context.Background(), say("a", "..."), say("b", "..."), "", r.Options()...)
	fmt.Println(res, err)
	// Output: nothing to resume: true
}
