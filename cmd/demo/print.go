package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
)

// printer shows the conversation as it happens: streamed tokens as they
// arrive, other messages whole.
type printer struct {
	mu        sync.Mutex
	w         io.Writer
	streaming string // agent whose tokens are being printed
	status    bool   // a status line (no newline) is on screen
}

func newPrinter(w io.Writer) *printer { return &printer{w: w} }

func rule(title string) string {
	const width = 72
	t := "── " + title + " "
	if n := width - len([]rune(t)); n > 0 {
		t += strings.Repeat("─", n)
	}
	return t
}

func (p *printer) banner(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s\n%s\n%s\n\n", strings.Repeat("=", 72), s, strings.Repeat("=", 72))
}

// clearStatus removes the status line; callers hold mu.
func (p *printer) clearStatus() {
	if p.status {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.status = false
	}
}

// setStatus replaces the status line (a terminal line redrawn in place).
func (p *printer) setStatus(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearStatus()
	if s != "" {
		fmt.Fprint(p.w, s)
		p.status = true
	}
}

// line prints one line of its own.
func (p *printer) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearStatus()
	fmt.Fprintln(p.w, s)
}

// blockDone shows a block's outcome as soon as it ends.
func (p *printer) blockDone(label string, br executors.BlockResult) {
	mark := "✔"
	if !br.Succeeded() {
		mark = "✘"
	}
	s := fmt.Sprintf("%s %s exited %d after %s · %d B of output", mark, label, br.ExitCode, br.Duration.Round(time.Millisecond), br.OutputBytes)
	if br.TimedOut {
		s += " · stopped at its time limit"
	}
	p.line(s)
}

func (p *printer) token(agent, tok string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearStatus()
	if p.streaming != agent {
		fmt.Fprintf(p.w, "%s\n", rule(agent+" (streaming)"))
		p.streaming = agent
	}
	fmt.Fprint(p.w, tok)
}

func (p *printer) message(m conversation.Message) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.streaming != "" && p.streaming == m.Name {
		// Already shown token by token.
		p.streaming = ""
		fmt.Fprint(p.w, "\n\n")
		return
	}
	p.streaming = ""
	origin := string(m.Origin)
	if origin == "" {
		origin = "message"
	}
	fmt.Fprintf(p.w, "%s\n%s\n\n", rule(fmt.Sprintf("%s (%s)", m.Name, origin)), strings.TrimRight(m.Content, "\n"))
}

func (p *printer) summary(r *conversation.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.w, rule("end"))
	why := string(r.Reason)
	if r.Detail != "" {
		why += ": " + r.Detail
	}
	fmt.Fprintf(p.w, "Chat ended (%s) after %d turn(s), %d message(s), %s.\n", why, r.Turns, len(r.History), r.Duration.Round(1e6))
	acc := agents.Accounting(r, nil)
	if acc.Usage.TotalTokens > 0 {
		fmt.Fprintf(p.w, "Tokens: %d prompt + %d completion = %d (%s).\n", acc.Usage.PromptTokens, acc.Usage.CompletionTokens, acc.Usage.TotalTokens, acc.Usage.Model)
	}
	if acc.Executions > 0 {
		fmt.Fprintf(p.w, "Code: %d block(s) run in %d execution(s), %s in the executor.\n", acc.Blocks, acc.Executions, acc.ExecutorTime.Round(time.Millisecond))
	}
}

// event shows what the agents report while they work, besides whole
// messages (shown by the chat observer).
func (p *printer) event(ev agents.Event) {
	switch e := ev.(type) {
	case *agents.TokenEvent:
		p.token(e.Agent, e.Token)
	case *agents.RetryEvent:
		p.line(fmt.Sprintf("\n[%s's model failed (attempt %d): %v; retrying in %s]", e.Agent, e.Attempt, e.Err, e.Delay.Round(time.Millisecond)))
		p.mu.Lock()
		// A broken stream restarts from the beginning: print it anew.
		p.streaming = ""
		p.mu.Unlock()
	case *agents.ToolCallEvent:
		p.line(fmt.Sprintf("[%s calls tool %s(%s)]", e.Agent, e.Call.Name, e.Call.Arguments))
	case *agents.ToolResultEvent:
		status := "ok"
		if e.Result.IsError {
			status = "error"
		}
		p.line(fmt.Sprintf("[tool %s: %s after %s]", e.Result.Name, status, e.Duration.Round(time.Millisecond)))
	}
}
