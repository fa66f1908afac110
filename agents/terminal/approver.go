package terminal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/parley-go/parley/agents"
)

// Approver asks the person at the terminal about each code block. It
// implements agents.Approver; decisions are made "by" "human". Put policies
// before it in an agents.Chain and their advice is shown with the block.
type Approver struct{ u *ui }

// NewApprover returns an approver that asks at the terminal.
func NewApprover(opts ...Option) *Approver { return &Approver{u: newUI(opts)} }

type choice int

const (
	choiceRun choice = iota + 1
	choiceEdit
	choiceSkip
	choiceRunRest
	choiceAbort
)

var choices = []struct {
	c     choice
	label string
}{
	{choiceRun, "Run it"},
	{choiceEdit, "Edit it first"},
	{choiceSkip, "Skip it (tell the writer)"},
	{choiceRunRest, "Run it and the rest of this message without asking"},
	{choiceAbort, "Abort the chat"},
}

// Render returns what the approver shows before asking: a header with the
// block's place, language and filename hint, the numbered (and, with
// color, highlighted) code, where it runs, and the policies' advice.
func Render(r agents.Review, code string, edited, color bool) string {
	u := newUI([]Option{WithColor(color), WithOutput(io.Discard)})
	return u.render(r, code, edited)
}

func (u *ui) render(r agents.Review, code string, edited bool) string {
	var b strings.Builder
	title := fmt.Sprintf("Review block %d of %d · %s", r.Index, r.Total, r.Block.Language)
	if r.Block.Filename != "" {
		title += " · saved as " + r.Block.Filename
	}
	if r.Agent != "" {
		title += " · for " + r.Agent
	}
	if edited {
		title += " · EDITED"
	}
	b.WriteString("\n" + u.styles.header.Render("── "+title+" ──") + "\n")
	b.WriteString(Highlight(code, r.Block.Language, u.color))
	if r.Executor != "" {
		b.WriteString(u.styles.dim.Render("Runs in: "+r.Executor) + "\n")
	}
	for _, a := range r.Advice {
		style := u.styles.warn
		if strings.HasSuffix(a, "no findings") || strings.HasPrefix(a, "llm: safe") {
			style = u.styles.ok
		}
		b.WriteString(style.Render("⚑ "+a) + "\n")
	}
	return b.String()
}

// Review shows the block and asks what to do with it. Nothing runs before
// the human decides. Edited code is shown again and asked about again, so
// what runs is always what was last shown. Ctrl-C at the form aborts the
// chat.
func (a *Approver) Review(ctx context.Context, r agents.Review) (agents.Decision, error) {
	u := a.u
	u.mu.Lock()
	defer u.mu.Unlock()
	code := r.Block.Code
	for {
		edited := code != r.Block.Code
		fmt.Fprint(u.out, u.render(r, code, edited))
		c, err := u.ask(ctx, r)
		if errors.Is(err, errAborted) {
			return a.decided(agents.Decision{Action: agents.ActionAbort, Reason: "the human pressed Ctrl-C at the review", By: "human"}), nil
		}
		if err != nil {
			return agents.Decision{}, err
		}
		d := agents.Decision{By: "human"}
		if edited {
			d.Code = code
		}
		switch c {
		case choiceRun:
			d.Action = agents.ActionRun
		case choiceRunRest:
			d.Action = agents.ActionRunRest
		case choiceAbort:
			d.Action, d.Reason = agents.ActionAbort, "the human aborted the chat"
		case choiceSkip:
			why, err := u.reason(ctx)
			if errors.Is(err, errAborted) {
				continue
			}
			if err != nil {
				return agents.Decision{}, err
			}
			d.Action, d.Code, d.Reason = agents.ActionSkip, "", "the human skipped it"
			if why != "" {
				d.Reason += ": " + why
			}
		case choiceEdit:
			nc, err := u.edit(ctx, r, code)
			if errors.Is(err, errAborted) {
				continue // keep the code as it was
			}
			if err != nil {
				return agents.Decision{}, err
			}
			code = nc
			continue
		default:
			return agents.Decision{}, fmt.Errorf("terminal: no choice was made")
		}
		return a.decided(d), nil
	}
}

// decided prints the decision so it stays on screen after the form is
// gone.
func (a *Approver) decided(d agents.Decision) agents.Decision {
	u := a.u
	line := "→ " + d.Action.String() + " (" + d.By + ")"
	if d.Code != "" {
		line += ", edited"
	}
	if d.Reason != "" {
		line += ": " + d.Reason
	}
	style := u.styles.ok
	if d.Action == agents.ActionSkip || d.Action == agents.ActionAbort {
		style = u.styles.bad
	}
	fmt.Fprintln(u.out, style.Render(line))
	return d
}

func (u *ui) ask(ctx context.Context, r agents.Review) (choice, error) {
	title := fmt.Sprintf("Block %d of %d: what should happen?", r.Index, r.Total)
	if u.accessible {
		fmt.Fprintln(u.out, title)
		for i, c := range choices {
			fmt.Fprintf(u.out, "%d. %s\n", i+1, c.label)
		}
		for {
			s, err := u.readLine(ctx, fmt.Sprintf("Enter a number between 1 and %d: ", len(choices)))
			if err != nil {
				return 0, err
			}
			if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 1 && n <= len(choices) {
				return choices[n-1].c, nil
			}
		}
	}
	var c choice
	opts := make([]huh.Option[choice], len(choices))
	for i, ch := range choices {
		opts[i] = huh.NewOption(ch.label, ch.c)
	}
	f := huh.NewForm(huh.NewGroup(huh.NewSelect[choice]().Title(title).Options(opts...).Value(&c)))
	if err := u.runForm(ctx, f); err != nil {
		return 0, err
	}
	return c, nil
}

func (u *ui) reason(ctx context.Context) (string, error) {
	const title = "Why skip it? (told to the writer; Enter for no reason)"
	if u.accessible {
		s, err := u.readLine(ctx, title+" ")
		return strings.TrimSpace(s), err
	}
	var s string
	f := huh.NewForm(huh.NewGroup(huh.NewInput().Title(title).Value(&s)))
	if err := u.runForm(ctx, f); err != nil {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

func (u *ui) edit(ctx context.Context, r agents.Review, code string) (string, error) {
	if u.accessible {
		fmt.Fprintln(u.out, "Type the new code, one line at a time; end with a line holding only a single dot (.).")
		var lines []string
		for {
			s, err := u.readLine(ctx, "")
			if err != nil {
				return "", err
			}
			if s == "." {
				break
			}
			lines = append(lines, s)
		}
		if len(lines) == 0 {
			return code, nil
		}
		return strings.Join(lines, "\n") + "\n", nil
	}
	// Without the final newline the cursor starts at the end of the last
	// line of code, not on an empty line after it.
	code = strings.TrimRight(code, "\n")
	height := min(max(strings.Count(code, "\n")+2, 5), 30)
	t := huh.NewText().
		Title(fmt.Sprintf("Edit block %d (%s)", r.Index, r.Block.Language)).
		Description("Enter saves · alt+enter or ctrl+j: new line · ctrl+e: open $EDITOR · Ctrl-C: keep the code as it was").
		CharLimit(0).Lines(height).ShowLineNumbers(true).
		EditorExtension(extension(r.Block.Language)).
		Value(&code)
	if err := u.runForm(ctx, huh.NewForm(huh.NewGroup(t))); err != nil {
		return "", err
	}
	if !strings.HasSuffix(code, "\n") && code != "" {
		code += "\n"
	}
	return code, nil
}

func extension(lang string) string {
	switch lang {
	case "python":
		return "py"
	case "sh", "bash", "zsh", "ksh":
		return "sh"
	case "javascript":
		return "js"
	case "typescript":
		return "ts"
	case "":
		return "txt"
	}
	return lang
}
