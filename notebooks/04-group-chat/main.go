// Command 04-group-chat runs a group chat: a planner, a coder and a code
// executor share one transcript; a model picks who speaks next from their
// descriptions, within a graph of allowed transitions. See
// ../04-group-chat.md.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"strings"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors/local"
	"github.com/parley-go/parley/notebooks/internal/walk"
)

//go:embed replay.json
var replay []byte

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "04-group-chat:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	llm, stop, err := walk.Model(replay)
	if err != nil {
		return err
	}
	defer stop()
	ex, err := local.New(local.Config{})
	if err != nil {
		return err
	}
	defer ex.Close()

	user, err := agents.New("user", agents.WithDescription("The person who asks."))
	if err != nil {
		return err
	}
	planner, err := agents.New("planner", agents.WithLLM(llm),
		agents.WithDescription("Plans the steps, checks results and reports the final answer."),
		agents.WithSystemMessage("You plan, check results and give the final answer. End with TERMINATE when done."))
	if err != nil {
		return err
	}
	coder, err := agents.New("coder", agents.WithLLM(llm),
		agents.WithDescription("Writes Python code in fenced blocks."),
		agents.WithSystemMessage("You write one complete Python code block per reply."))
	if err != nil {
		return err
	}
	executor, err := agents.New("executor",
		agents.WithDescription("Runs the code blocks it is sent and reports their output."),
		agents.WithCodeExecution(agents.CodeExecution{Executor: ex, Approver: agents.AutoApprove(), Describe: "commandline-local"}))
	if err != nil {
		return err
	}

	// The model picks the next speaker; a wrapper shows its choices.
	auto := &agents.AutoSelect{LLM: llm}
	show := conversation.SelectorFunc(func(ctx context.Context, s conversation.Selection) (conversation.Participant, error) {
		p, err := auto.SelectSpeaker(ctx, s)
		if err == nil {
			fmt.Printf(">> candidates [%s] -> %s\n\n", strings.Join(conversation.Names(s.Candidates), ", "), p.Name())
		}
		return p, err
	})

	g := conversation.GroupChat{
		Members:  []conversation.Participant{user, planner, coder, executor},
		Selector: show,
		Transitions: conversation.AllowedTransitions(map[string][]string{
			"user":     {"planner"},
			"planner":  {"coder"},
			"coder":    {"executor"},
			"executor": {"coder", "planner"},
		}),
		MaxRounds: 12,
	}
	res, err := g.Run(ctx, user, "Find the sum of the primes below 100, and check it.",
		conversation.WithObserver(walk.Printer(os.Stdout)))
	if err != nil {
		return err
	}
	walk.Ended(os.Stdout, res)
	return nil
}
