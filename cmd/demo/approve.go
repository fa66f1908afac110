package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/policy"
	"github.com/parley-go/parley/agents/terminal"
)

// Values of --policy.
const (
	policyNone      = ""
	policyStatic    = "static"
	policyLLM       = "llm"
	policyStaticLLM = "static+llm"
	policyDeny      = "deny"
)

func validPolicy(p string) bool {
	switch p {
	case policyNone, policyStatic, policyLLM, policyStaticLLM, policyDeny:
		return true
	}
	return false
}

// isTerminal reports whether v (stdin or stdout) is a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newApprover decides who approves code, and says so in a sentence:
//
//   - --policy deny: nobody; every block is refused.
//   - a terminal (without --yes): the person at it, with the chosen policies'
//     findings shown as advice (the static check always runs).
//   - --yes: every block, except those the policies refuse.
//   - no terminal, a policy: the policies decide ("policy decides" mode): the
//     last policy approves what it and every earlier one found safe.
//   - otherwise nobody, so nothing runs.
func newApprover(o options, tty bool, reviewer agents.LLM, stdin io.Reader, stdout io.Writer) (agents.Approver, string) {
	useStatic := o.policy != policyLLM
	useLLM := o.policy == policyLLM || o.policy == policyStaticLLM
	switch {
	case o.policy == policyDeny:
		return agents.DenyAll("code execution is disabled for this run (--policy deny)"), "every block is refused (--policy deny)"

	case tty && !o.yes:
		var chain []agents.Approver
		if useStatic {
			chain = append(chain, policy.Static{})
		}
		if useLLM {
			chain = append(chain, policy.LLMReviewer{LLM: reviewer})
		}
		chain = append(chain, terminal.NewApprover(terminal.WithInput(stdin), terminal.WithOutput(stdout)))
		return agents.Chain(chain...), "you review every block at this terminal before it runs"

	case o.yes:
		var chain []agents.Approver
		desc := "every block is approved without asking (--yes)"
		if o.policy != policyNone {
			desc += ", except those the " + o.policy + " policy refuses"
		}
		if o.policy == policyStatic || o.policy == policyStaticLLM {
			chain = append(chain, policy.Static{DenyAt: policy.SeverityMedium})
		}
		if useLLM {
			chain = append(chain, policy.LLMReviewer{LLM: reviewer, Deny: true})
		}
		return agents.Chain(append(chain, agents.AutoApprove())...), desc

	case o.policy != policyNone:
		var chain []agents.Approver
		if o.policy == policyStatic || o.policy == policyStaticLLM {
			chain = append(chain, policy.Static{DenyAt: policy.SeverityMedium, ApproveClean: !useLLM})
		}
		if useLLM {
			chain = append(chain, policy.LLMReviewer{LLM: reviewer, Deny: true, Approve: true})
		}
		return agents.Chain(chain...), fmt.Sprintf("the %s policy decides: it runs blocks it finds safe and refuses the rest", o.policy)
	}
	return nil, "nobody can approve code (no terminal, no --yes, no --policy), so nothing will run"
}
