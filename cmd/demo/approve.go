package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/parley-go/parley/agents"
)

// newApprover decides who approves code: --yes approves everything; a
// terminal asks the person at it; otherwise nobody, so nothing runs.
func newApprover(o options, stdin io.Reader, stdout io.Writer) agents.Approver {
	if o.yes {
		return agents.AutoApprove()
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &lineApprover{in: bufio.NewReader(stdin), out: stdout}
	}
	return nil
}

// lineApprover asks at a plain terminal, one line per decision.
type lineApprover struct {
	in  *bufio.Reader
	out io.Writer
}

func (l *lineApprover) Review(ctx context.Context, r agents.Review) (agents.Decision, error) {
	fmt.Fprintf(l.out, "%s\n%s\n", rule(fmt.Sprintf("review block %d/%d: %s %s", r.Index, r.Total, r.Block.Language, r.Block.Filename)), strings.TrimRight(r.Block.Code, "\n"))
	fmt.Fprintf(l.out, "Runs in: %s\n", r.Executor)
	for {
		fmt.Fprint(l.out, "Run it? [y]es / [n]o (skip) / [a]ll remaining / [q]uit chat: ")
		line, err := l.in.ReadString('\n')
		if err != nil {
			return agents.Decision{}, fmt.Errorf("reading the decision: %w", err)
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return agents.Decision{Action: agents.ActionRun, By: "human"}, nil
		case "n", "no":
			return agents.Decision{Action: agents.ActionSkip, Reason: "the human declined to run it", By: "human"}, nil
		case "a", "all":
			return agents.Decision{Action: agents.ActionRunRest, By: "human"}, nil
		case "q", "quit":
			return agents.Decision{Action: agents.ActionAbort, Reason: "the human ended the chat", By: "human"}, nil
		}
	}
}
