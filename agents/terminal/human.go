package terminal

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/huh"
)

// Human asks the person at the terminal for replies. It implements
// agents.Human: Enter on an empty reply lets the agent answer by itself,
// "exit" ends the chat, alt+enter or ctrl+j starts a new line, ctrl+e opens
// $EDITOR. Ctrl-C at the prompt answers "exit".
type Human struct{ u *ui }

// NewHuman returns a human asked at the terminal.
func NewHuman(opts ...Option) *Human { return &Human{u: newUI(opts)} }

// Input asks prompt and returns the reply.
func (h *Human) Input(ctx context.Context, prompt string) (string, error) {
	u := h.u
	u.mu.Lock()
	defer u.mu.Unlock()
	var s string
	if u.accessible {
		fmt.Fprintln(u.out, prompt)
		fmt.Fprintln(u.out, "(end a multi-line reply with a line holding only a single dot)")
		var lines []string
		for {
			line, err := u.readLine(ctx, "> ")
			if err != nil {
				return "", err
			}
			if line == "." || (len(lines) == 0 && (strings.TrimSpace(line) == "" || strings.TrimSpace(line) == "exit")) {
				if line != "." {
					lines = append(lines, line)
				}
				break
			}
			lines = append(lines, line)
		}
		s = strings.Join(lines, "\n")
	} else {
		t := huh.NewText().Title(prompt).
			Description("Enter sends · empty: let the agent answer · exit: end the chat · alt+enter or ctrl+j: new line · ctrl+e: $EDITOR").
			CharLimit(0).Lines(4).Value(&s)
		err := u.runForm(ctx, huh.NewForm(huh.NewGroup(t)))
		if errors.Is(err, errAborted) {
			s = "exit"
		} else if err != nil {
			return "", err
		}
	}
	switch strings.TrimSpace(s) {
	case "":
		fmt.Fprintln(u.out, u.styles.dim.Render("→ (Enter) the agent answers automatically"))
	case "exit":
		fmt.Fprintln(u.out, u.styles.bad.Render("→ exit: ending the chat"))
	default:
		fmt.Fprintln(u.out, u.styles.ok.Render("→ you: "+s))
	}
	return s, nil
}
