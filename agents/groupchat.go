package agents

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/parley-go/parley/conversation"
)

// DefaultSelectAttempts is how many times a selector asks (the model, or the
// human) before it falls back, as AutoGen's two retries.
const DefaultSelectAttempts = 3

// AutoSelect is the "auto" speaker selection of a group chat: a model reads
// the members' descriptions and the chat so far and names the next speaker.
// An answer that names no candidate, or more than one, is sent back to the
// model with what was wrong; after MaxAttempts the Fallback picks. It is safe
// for concurrent use.
type AutoSelect struct {
	// LLM picks the speaker.
	LLM LLM
	// MaxAttempts is how many answers are asked for before falling back
	// (default DefaultSelectAttempts).
	MaxAttempts int
	// Fallback picks when the model gives no valid answer (default
	// conversation.RoundRobin).
	Fallback conversation.SpeakerSelector
	// OnUsage, when set, receives the token usage of each selection call,
	// which no transcript message carries.
	OnUsage func(conversation.Usage)
	// Logger reports fallbacks (default: discard).
	Logger *slog.Logger
}

// SelectSpeaker implements conversation.SpeakerSelector.
func (s *AutoSelect) SelectSpeaker(ctx context.Context, sel conversation.Selection) (conversation.Participant, error) {
	if s.LLM == nil {
		return nil, fmt.Errorf("auto speaker selection needs an LLM")
	}
	if len(sel.Candidates) == 1 {
		return sel.Candidates[0], nil
	}
	names := conversation.Names(sel.Candidates)
	list := "[" + strings.Join(names, ", ") + "]"
	msgs := []LLMMessage{{Role: LLMSystem, Content: selectSystemPrompt(sel.Members, list)}}
	for _, m := range sel.Chat.Messages() {
		if m.Content == "" {
			continue
		}
		msgs = append(msgs, LLMMessage{Role: LLMUser, Name: m.Name, Content: m.Content})
	}
	msgs = append(msgs, LLMMessage{Role: LLMUser, Content: fmt.Sprintf("Read the above conversation. Then select the next role from %s to play. Only return the role.", list)})
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultSelectAttempts
	}
	var problem string
	for range attempts {
		resp, err := s.LLM.Complete(ctx, LLMRequest{Messages: msgs})
		if err != nil {
			return nil, fmt.Errorf("auto speaker selection: %w", err)
		}
		if s.OnUsage != nil {
			s.OnUsage(resp.Usage)
		}
		p, why := pickNamed(resp.Content, sel)
		if p != nil {
			return p, nil
		}
		problem = why
		msgs = append(msgs,
			LLMMessage{Role: LLMAssistant, Content: resp.Content},
			LLMMessage{Role: LLMUser, Content: why + " Respond with just the name of the next speaker, one of " + list + "."})
	}
	fb := s.Fallback
	if fb == nil {
		fb = conversation.RoundRobin()
	}
	p, err := fb.SelectSpeaker(ctx, sel)
	if err == nil && p != nil {
		s.logger().WarnContext(ctx, "auto speaker selection fell back", "attempts", attempts, "problem", problem, "picked", p.Name(), "chat", sel.Chat.ID())
	}
	return p, err
}

func (s *AutoSelect) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func selectSystemPrompt(members []conversation.Participant, list string) string {
	var b strings.Builder
	b.WriteString("You are in a role play game. The following roles are available:\n")
	for _, m := range members {
		d := strings.TrimSpace(conversation.Description(m))
		if d == "" {
			d = "(no description)"
		}
		fmt.Fprintf(&b, "%s: %s\n", m.Name(), d)
	}
	fmt.Fprintf(&b, "Read the following conversation.\nThen select the next role from %s to play. Only return the role.", list)
	return b.String()
}

// pickNamed finds the one candidate an answer names: the whole answer (case,
// quotes and punctuation aside), or else the only candidate mentioned in it.
// Otherwise it says what was wrong.
func pickNamed(answer string, sel conversation.Selection) (conversation.Participant, string) {
	clean := strings.Trim(strings.TrimSpace(answer), "`'\"*.,:;!? \n")
	for _, c := range sel.Candidates {
		if strings.EqualFold(clean, c.Name()) {
			return c, ""
		}
	}
	var found []conversation.Participant
	for _, c := range sel.Candidates {
		if mentions(answer, c.Name()) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 1:
		return found[0], ""
	case 0:
		for _, m := range sel.Members {
			if mentions(answer, m.Name()) {
				return nil, fmt.Sprintf("%s may not speak now.", m.Name())
			}
		}
		return nil, fmt.Sprintf("Your answer %q names none of the roles.", truncate(answer, 80))
	}
	return nil, fmt.Sprintf("Your answer names more than one role (%s).", strings.Join(conversation.Names(found), ", "))
}

// mentions reports whether text holds name as a whole word, ignoring case.
func mentions(text, name string) bool {
	re, err := regexp.Compile(`(?i)(^|[^\pL\pN_])` + regexp.QuoteMeta(name) + `($|[^\pL\pN_])`)
	return err == nil && re.MatchString(text)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// ManualSelect is the "manual" speaker selection of a group chat: a human
// picks the next speaker by number or name. Pressing Enter lets the Fallback
// pick; "exit" ends the chat; after MaxAttempts invalid answers the
// Fallback picks.
type ManualSelect struct {
	Human Human
	// MaxAttempts is how many invalid answers are tolerated before falling
	// back (default DefaultSelectAttempts).
	MaxAttempts int
	// Fallback picks on Enter or after invalid answers (default
	// conversation.RoundRobin).
	Fallback conversation.SpeakerSelector
}

// SelectSpeaker implements conversation.SpeakerSelector.
func (s *ManualSelect) SelectSpeaker(ctx context.Context, sel conversation.Selection) (conversation.Participant, error) {
	if s.Human == nil {
		return nil, fmt.Errorf("manual speaker selection needs a Human")
	}
	fb := s.Fallback
	if fb == nil {
		fb = conversation.RoundRobin()
	}
	var b strings.Builder
	b.WriteString("Who speaks next?\n")
	for i, c := range sel.Candidates {
		fmt.Fprintf(&b, "  %d: %s", i+1, c.Name())
		if d := strings.TrimSpace(conversation.Description(c)); d != "" {
			fmt.Fprintf(&b, " (%s)", truncate(d, 60))
		}
		b.WriteString("\n")
	}
	b.WriteString("Enter a number or a name, press Enter to let the default order choose, or type 'exit' to end the chat:")
	prompt := b.String()
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultSelectAttempts
	}
	for range attempts {
		in, err := s.Human.Input(ctx, prompt)
		if err != nil {
			return nil, fmt.Errorf("asking the human for the next speaker: %w", err)
		}
		in = strings.TrimSpace(in)
		switch {
		case in == "":
			return fb.SelectSpeaker(ctx, sel)
		case isExit(in):
			return nil, conversation.Stop(conversation.ReasonHumanExit, "the human typed exit")
		}
		if n, err := strconv.Atoi(in); err == nil && n >= 1 && n <= len(sel.Candidates) {
			return sel.Candidates[n-1], nil
		}
		for _, c := range sel.Candidates {
			if strings.EqualFold(in, c.Name()) {
				return c, nil
			}
		}
		prompt = fmt.Sprintf("%q is not one of the choices.\n%s", in, b.String())
	}
	return fb.SelectSpeaker(ctx, sel)
}
