package terminal_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/terminal"
	"github.com/parley-go/parley/executors"
)

func newReview() agents.Review {
	return agents.Review{
		Block:    executors.CodeBlock{Language: "python", Code: "print(6*7)\n", Filename: "answer.py"},
		Index:    1,
		Total:    2,
		Agent:    "code_executor",
		Executor: "commandline-local (timeout 1m0s)",
		Advice:   []string{"static: medium: network access (line 1: import socket)"},
	}
}

func approver(input string) (*terminal.Approver, *bytes.Buffer) {
	var out bytes.Buffer
	return terminal.NewApprover(terminal.WithAccessible(true), terminal.WithColor(false),
		terminal.WithInput(strings.NewReader(input)), terminal.WithOutput(&out)), &out
}

func TestApproverDecisions(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		action agents.Action
		code   string
		reason string
	}{
		{"run", "1\n", agents.ActionRun, "", ""},
		{"bad answers are asked again", "9\nyes\n1\n", agents.ActionRun, "", ""},
		{"skip with a reason", "3\nit prints secrets\n", agents.ActionSkip, "", "the human skipped it: it prints secrets"},
		{"skip without a reason", "3\n\n", agents.ActionSkip, "", "the human skipped it"},
		{"run the rest", "4\n", agents.ActionRunRest, "", ""},
		{"abort", "5\n", agents.ActionAbort, "", "the human aborted the chat"},
		{"edit then run", "2\nprint(7*6)\nprint('edited')\n.\n1\n", agents.ActionRun, "print(7*6)\nprint('edited')\n", ""},
		{"edit then skip drops the edit", "2\nprint(1)\n.\n3\n\n", agents.ActionSkip, "", "the human skipped it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, out := approver(tt.input)
			d, err := a.Review(context.Background(), newReview())
			require.NoError(t, err)
			assert.Equal(t, tt.action, d.Action)
			assert.Equal(t, "human", d.By)
			assert.Equal(t, tt.code, d.Code)
			assert.Equal(t, tt.reason, d.Reason)
			screen := out.String()
			assert.Contains(t, screen, "Review block 1 of 2 · python · saved as answer.py")
			assert.Contains(t, screen, "1 │ print(6*7)")
			assert.Contains(t, screen, "Runs in: commandline-local (timeout 1m0s)")
			assert.Contains(t, screen, "network access (line 1: import socket)")
			assert.Contains(t, screen, "→ "+tt.action.String()+" (human)")
			if tt.code != "" {
				assert.Contains(t, screen, "EDITED", "the edited code is shown before it is approved")
				assert.Contains(t, screen, "2 │ print('edited')")
			}
		})
	}
}

func TestApproverEndOfInputNeverApproves(t *testing.T) {
	for _, input := range []string{"", "\n\n", "2\nprint(1)\n"} {
		a, _ := approver(input)
		d, err := a.Review(context.Background(), newReview())
		require.Error(t, err, "input %q", input)
		assert.Contains(t, err.Error(), "end of input")
		assert.Equal(t, agents.Decision{}, d)
	}
}

func TestApproverCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a, _ := approver("1\n")
	_, err := a.Review(ctx, newReview())
	assert.ErrorIs(t, err, context.Canceled)
}

func TestHuman(t *testing.T) {
	tests := []struct{ input, want string }{
		{"\n", ""},
		{"exit\n", "exit"},
		{"please use numpy\n.\n", "please use numpy"},
		{"line one\nline two\n.\n", "line one\nline two"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		h := terminal.NewHuman(terminal.WithAccessible(true), terminal.WithColor(false), terminal.WithInput(strings.NewReader(tt.input)), terminal.WithOutput(&out))
		got, err := h.Input(context.Background(), "Reply to writer:")
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
		assert.Contains(t, out.String(), "Reply to writer:")
	}
	h := terminal.NewHuman(terminal.WithAccessible(true), terminal.WithInput(strings.NewReader("")), terminal.WithOutput(&bytes.Buffer{}))
	_, err := h.Input(context.Background(), "?")
	assert.ErrorContains(t, err, "end of input")
}

func TestHighlight(t *testing.T) {
	plain := terminal.Highlight("x = 1\nprint(x)\n", "python", false)
	assert.Equal(t, "1 │ x = 1\n2 │ print(x)\n", plain)

	colored := terminal.Highlight("x = 1\nprint(x)\n", "python", true)
	assert.Contains(t, colored, "\x1b[")
	assert.Equal(t, 2, strings.Count(colored, "\n"))
	stripped := stripANSI(colored)
	assert.Equal(t, plain, stripped, "highlighting changes colours, never the code")

	// Ten lines or more: numbers are right-aligned.
	long := terminal.Highlight(strings.Repeat("echo\n", 10), "sh", false)
	assert.Contains(t, long, " 9 │ echo\n10 │ echo\n")
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
