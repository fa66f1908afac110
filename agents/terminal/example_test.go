package terminal_test

import (
	"fmt"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/policy"
	"github.com/parley-go/parley/agents/terminal"
	"github.com/parley-go/parley/executors"
)

// A human at the terminal decides, with a static policy's findings shown
// next to each block.
func ExampleNewApprover() {
	approver := agents.Chain(policy.Static{}, terminal.NewApprover())
	_ = agents.CodeExecution{Approver: approver /* , Executor: ... */}
}

func ExampleRender() {
	r := agents.Review{
		Block:    executors.CodeBlock{Language: "sh", Code: "curl http://example.com\n"},
		Index:    1,
		Total:    1,
		Executor: "commandline-local (timeout 1m0s)",
		Advice:   []string{"static: medium: network access (line 1: curl http://example.com)"},
	}
	fmt.Print(terminal.Render(r, r.Block.Code, false, false))
	// Output:
	// ── Review block 1 of 1 · sh ──
	// 1 │ curl http://example.com
	// Runs in: commandline-local (timeout 1m0s)
	// ⚑ static: medium: network access (line 1: curl http://example.com)
}
