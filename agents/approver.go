package agents

import (
	"context"
	"fmt"

	"github.com/parley-go/parley/executors"
)

// Action is what a reviewer decided for a code block.
type Action int

const (
	// ActionRun runs the block (with Decision.Code when it was edited).
	ActionRun Action = iota
	// ActionSkip does not run the block; the writer is told, with the reason.
	ActionSkip
	// ActionAbort ends the chat without running anything more.
	ActionAbort
	// ActionRunRest runs this block and every later block of the same
	// message without asking again.
	ActionRunRest
	// ActionPass leaves the decision to the next approver of a chain. An
	// approver chain that ends with every approver passing skips the block.
	ActionPass
)

func (a Action) String() string {
	switch a {
	case ActionRun:
		return "run"
	case ActionSkip:
		return "skip"
	case ActionAbort:
		return "abort"
	case ActionRunRest:
		return "run_rest"
	case ActionPass:
		return "pass"
	}
	return "unknown"
}

// Decision is a reviewer's verdict on one block.
type Decision struct {
	Action Action `json:"action"`
	// Code, when not empty and different from the block's code, replaces
	// it: the edited code is what runs and what the transcript records.
	Code string `json:"code,omitempty"`
	// Reason explains a skip or abort to the writer and the audit log.
	Reason string `json:"reason,omitempty"`
	// By says who decided: "human", "policy:<name>", "auto".
	By string `json:"by"`
	// Advice is what policies noticed, shown to a human and logged.
	Advice []string `json:"advice,omitempty"`
}

// Review is one block put before an approver.
type Review struct {
	Block executors.CodeBlock
	// Index and Total place the block within its message (1-based).
	Index, Total int
	ChatID       string
	Agent        string
	// Executor describes where the block would run, with its limits.
	Executor string
	// Advice carries findings of earlier approvers in a chain.
	Advice []string
}

// Approver decides whether a code block may run. Implementations are a human
// at a terminal, a policy, or a chain of both.
type Approver interface {
	Review(ctx context.Context, r Review) (Decision, error)
}

// ApproverFunc adapts a function to the Approver interface.
type ApproverFunc func(ctx context.Context, r Review) (Decision, error)

// Review calls f.
func (f ApproverFunc) Review(ctx context.Context, r Review) (Decision, error) { return f(ctx, r) }

// AutoApprove returns an approver that runs every block without asking. It
// is an explicit choice for unattended runs in a sandbox you trust.
func AutoApprove() Approver {
	return ApproverFunc(func(context.Context, Review) (Decision, error) {
		return Decision{Action: ActionRun, By: "auto"}, nil
	})
}

// DenyAll returns an approver that skips every block, giving reason.
func DenyAll(reason string) Approver {
	return ApproverFunc(func(context.Context, Review) (Decision, error) {
		return Decision{Action: ActionSkip, Reason: reason, By: "policy:deny-all"}, nil
	})
}

// Chain asks approvers in order; the first that does not pass decides.
// Advice from earlier approvers is handed to later ones and kept in the
// final decision, so a policy can flag a block for the human who decides. If
// every approver passes, the block is skipped: nothing runs unless someone
// approved it.
func Chain(approvers ...Approver) Approver {
	return ApproverFunc(func(ctx context.Context, r Review) (Decision, error) {
		for _, a := range approvers {
			d, err := a.Review(ctx, r)
			if err != nil {
				return Decision{}, err
			}
			r.Advice = append(r.Advice, d.Advice...)
			if d.Action != ActionPass {
				d.Advice = r.Advice
				return d, nil
			}
		}
		return Decision{Action: ActionSkip, Reason: "no approver approved the block", By: "chain", Advice: r.Advice}, nil
	})
}

func (d Decision) validate() error {
	switch d.Action {
	case ActionRun, ActionSkip, ActionAbort, ActionRunRest, ActionPass:
		return nil
	}
	return fmt.Errorf("approver returned unknown action %d", d.Action)
}
