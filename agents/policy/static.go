package policy

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/parley-go/parley/agents"
)

// Static is an approver that checks each block against pattern rules. By
// default it only advises: it passes every block on with its findings as
// advice, for the human (or the next policy) who decides.
//
// It is safe for concurrent use once built.
type Static struct {
	// Rules to check; nil means DefaultRules().
	Rules []Rule
	// DenyAt skips blocks with a finding at or above this severity, telling
	// the writer why. SeverityNone (the zero value) never denies.
	DenyAt Severity
	// ApproveClean is "policy decides" mode: a block with no findings at
	// all runs without asking anyone. Blocks with findings below DenyAt are
	// still passed on, never approved.
	ApproveClean bool
}

// defaultRules compiles DefaultRules once, on first use, for every Static
// without Rules: compiling the patterns costs far more than checking a
// block. It is never handed out, so no caller can change it.
var defaultRules = sync.OnceValue(DefaultRules)

// Name identifies the policy in decisions ("policy:static").
const staticBy = "policy:static"

// Review implements agents.Approver.
func (s Static) Review(ctx context.Context, r agents.Review) (agents.Decision, error) {
	if err := ctx.Err(); err != nil {
		return agents.Decision{}, err
	}
	rules := s.Rules
	if rules == nil {
		rules = defaultRules()
	}
	fs := Check(r.Block, rules)
	advice := make([]string, len(fs))
	for i, f := range fs {
		advice[i] = "static: " + f.String()
	}
	if s.DenyAt > SeverityNone && Highest(fs) >= s.DenyAt {
		var why []string
		for _, f := range fs {
			if f.Severity >= s.DenyAt {
				why = append(why, fmt.Sprintf("%s (line %d)", f.Category, f.Line))
			}
		}
		return agents.Decision{
			Action: agents.ActionSkip,
			Reason: "the static policy refused it: " + strings.Join(why, ", "),
			By:     staticBy,
			Advice: advice,
		}, nil
	}
	if s.ApproveClean && len(fs) == 0 {
		return agents.Decision{Action: agents.ActionRun, By: staticBy, Advice: []string{"static: no findings"}}, nil
	}
	if len(fs) == 0 {
		advice = []string{"static: no findings"}
	}
	return agents.Decision{Action: agents.ActionPass, By: staticBy, Advice: advice}, nil
}
