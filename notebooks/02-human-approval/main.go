// Command 02-human-approval shows code review before execution: every block
// the writer sends is put before an approver, who may run it, edit it, skip
// it with a reason the writer reads, or abort the chat; and a human decides
// whether the chat may end. The human here is scripted so the walkthrough
// runs unattended; see ../02-human-approval.md.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors/local"
	"github.com/parley-go/parley/notebooks/internal/walk"
)

//go:embed replay.json
var replay []byte

// scriptedReviewer stands in for a person at a terminal: it shows each block
// and answers with the next prepared decision.
type scriptedReviewer struct {
	mu        sync.Mutex
	decisions []agents.Decision
}

func (s *scriptedReviewer) Review(_ context.Context, r agents.Review) (agents.Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Printf("?? review block %d/%d (%s) for %s:\n%s", r.Index, r.Total, r.Block.Language, r.Executor, indent(r.Block.Code))
	if len(s.decisions) == 0 {
		return agents.Decision{}, fmt.Errorf("the reviewer has no more answers")
	}
	d := s.decisions[0]
	s.decisions = s.decisions[1:]
	fmt.Printf("   decision: %s", d.Action)
	if d.Reason != "" {
		fmt.Printf(" (%s)", d.Reason)
	}
	fmt.Print("\n\n")
	return d, nil
}

func indent(code string) string {
	return "   | " + strings.ReplaceAll(strings.TrimRight(code, "\n"), "\n", "\n   | ") + "\n"
}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "02-human-approval:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	llm, stop, err := walk.Model(replay)
	if err != nil {
		return err
	}
	defer stop()
	ex, err := local.New(local.Config{}) // a fresh temporary work dir, removed on Close
	if err != nil {
		return err
	}
	defer ex.Close()

	reviewer := &scriptedReviewer{decisions: []agents.Decision{
		{Action: agents.ActionSkip, Reason: "no network in this sandbox: use the standard library", By: "human"},
		{Action: agents.ActionSkip, Reason: "it needs the package I did not install", By: "human"},
		{Action: agents.ActionRun, By: "human"},
	}}
	// The human at the executor's side is asked only when the chat would
	// end (HumanTerminate); pressing Enter ("") lets it end.
	human := agents.NewScriptedHuman("")

	writer, err := agents.New("writer", agents.WithLLM(llm),
		agents.WithSystemMessage("Solve tasks with Python or shell code blocks. End with TERMINATE when done."))
	if err != nil {
		return err
	}
	executor, err := agents.New("code_executor",
		agents.WithCodeExecution(agents.CodeExecution{Executor: ex, Approver: reviewer, Describe: "commandline-local"}),
		agents.WithHumanInput(agents.HumanTerminate, human))
	if err != nil {
		return err
	}

	res, err := conversation.Initiate(ctx, executor, writer, "What is the mean of 3, 5 and 10? Compute it.",
		conversation.WithMaxTurns(5), conversation.WithObserver(walk.Printer(os.Stdout)))
	if err != nil {
		return err
	}
	for _, p := range human.Prompts() {
		fmt.Printf("?? the human was asked: %s\n   answer: (Enter)\n", p)
	}
	walk.Ended(os.Stdout, res)
	return nil
}
