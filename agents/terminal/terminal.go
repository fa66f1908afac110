package terminal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/term"
)

// Option configures an Approver or a Human.
type Option func(*config)

type config struct {
	in         io.Reader
	out        io.Writer
	accessible bool
	color      *bool
	theme      *huh.Theme
}

// WithInput sets where keys are read from (default os.Stdin).
func WithInput(r io.Reader) Option { return func(c *config) { c.in = r } }

// WithOutput sets where forms and blocks are drawn (default os.Stdout).
func WithOutput(w io.Writer) Option { return func(c *config) { c.out = w } }

// WithAccessible asks plain numbered questions, one line each, instead of
// drawing forms.
func WithAccessible(on bool) Option { return func(c *config) { c.accessible = on } }

// WithColor forces syntax highlighting and styles on or off. By default
// they are on when the output is a terminal and NO_COLOR is not set.
func WithColor(on bool) Option { return func(c *config) { c.color = &on } }

// WithTheme sets the huh theme of the forms (default huh.ThemeCharm).
func WithTheme(t *huh.Theme) Option { return func(c *config) { c.theme = t } }

// ui is what Approver and Human share: where they talk, and the line reader
// of accessible mode (one per input, so no buffered answer is lost between
// questions).
type ui struct {
	config
	color  bool
	styles palette
	mu     sync.Mutex // one question at a time
	lines  *bufio.Reader
}

type palette struct {
	header, dim, warn, ok, bad lipgloss.Style
}

func newUI(opts []Option) *ui {
	c := config{in: os.Stdin, out: os.Stdout}
	for _, o := range opts {
		o(&c)
	}
	u := &ui{config: c}
	if c.color != nil {
		u.color = *c.color
	} else {
		f, ok := c.out.(*os.File)
		u.color = ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == ""
	}
	if u.theme == nil {
		u.theme = huh.ThemeCharm()
	}
	r := lipgloss.NewRenderer(c.out)
	if u.color {
		r.SetColorProfile(termenv.ANSI256)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	u.styles = palette{
		header: r.NewStyle().Bold(true).Foreground(lipgloss.Color("212")),
		dim:    r.NewStyle().Faint(true),
		warn:   r.NewStyle().Foreground(lipgloss.Color("214")),
		ok:     r.NewStyle().Foreground(lipgloss.Color("42")),
		bad:    r.NewStyle().Foreground(lipgloss.Color("196")),
	}
	if c.accessible {
		u.lines = bufio.NewReader(c.in)
	}
	return u
}

// errAborted is a form left with Ctrl-C (or Esc where huh allows it).
var errAborted = errors.New("the human left the form")

// runForm runs a huh form in the terminal, or returns errAborted when the
// human pressed Ctrl-C. A cancelled ctx wins over everything else.
func (u *ui) runForm(ctx context.Context, f *huh.Form) error {
	err := f.WithInput(u.in).WithOutput(u.out).WithTheme(u.theme).WithShowHelp(true).RunWithContext(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, huh.ErrUserAborted) {
		return errAborted
	}
	return err
}

// readLine reads one answer in accessible mode. End of input is an error:
// a closed terminal must never be read as a default answer.
func (u *ui) readLine(ctx context.Context, prompt string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	fmt.Fprint(u.out, prompt)
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := u.lines.ReadString('\n')
		ch <- result{s, err}
	}()
	select {
	case <-ctx.Done():
		// The reader goroutine stays blocked until the next line or EOF;
		// the process is ending anyway.
		return "", ctx.Err()
	case r := <-ch:
		if r.err != nil && !(errors.Is(r.err, io.EOF) && r.s != "") {
			if errors.Is(r.err, io.EOF) {
				return "", fmt.Errorf("terminal: end of input while waiting for an answer")
			}
			return "", fmt.Errorf("terminal: reading the answer: %w", r.err)
		}
		return strings.TrimRight(r.s, "\r\n"), nil
	}
}
