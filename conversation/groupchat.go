package conversation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DefaultMaxRounds is the round limit of a group chat that sets none, as in
// AutoGen.
const DefaultMaxRounds = 10

// GroupChat runs several participants over one shared transcript. After each
// message its Selector picks who speaks next, among the members the
// Transitions allow after the last speaker.
//
// A GroupChat holds no per-chat state; one value may run many chats at once.
type GroupChat struct {
	// Members take part in the chat; their names must be distinct.
	Members []Participant
	// Selector picks the next speaker (default RoundRobin).
	Selector SpeakerSelector
	// Transitions, when set, restricts who may speak after whom.
	Transitions *Transitions
	// MaxRounds limits the number of messages in the transcript, the first
	// message and resumed history included (AutoGen's max_round). Zero
	// means DefaultMaxRounds; a negative value means no limit.
	MaxRounds int
}

// Describer is implemented by participants that describe themselves to
// speaker selectors (agents.ConversableAgent does).
type Describer interface {
	Description() string
}

// Description returns p's description, or "" when it has none.
func Description(p Participant) string {
	if d, ok := p.(Describer); ok {
		return d.Description()
	}
	return ""
}

// ErrInvalidSpeaker is wrapped by the error a group chat ends with when a
// selector picks someone who may not speak next.
var ErrInvalidSpeaker = errors.New("conversation: invalid next speaker")

func (g *GroupChat) validate() error {
	if len(g.Members) < 2 {
		return fmt.Errorf("conversation: a group chat needs at least two members, got %d", len(g.Members))
	}
	seen := map[string]bool{}
	for i, m := range g.Members {
		if m == nil {
			return fmt.Errorf("conversation: group member %d is nil", i)
		}
		n := m.Name()
		if strings.TrimSpace(n) == "" {
			return fmt.Errorf("conversation: group member %d has no name", i)
		}
		if seen[n] {
			return fmt.Errorf("conversation: two group members are named %q; names must differ", n)
		}
		seen[n] = true
	}
	if g.Transitions != nil {
		if err := g.Transitions.check(seen); err != nil {
			return err
		}
	}
	return nil
}

func (g *GroupChat) member(name string) (int, bool) {
	for i, m := range g.Members {
		if m.Name() == name {
			return i, true
		}
	}
	return -1, false
}

// candidates lists the members who may speak after last (nil: nobody spoke
// yet, so anyone may).
func (g *GroupChat) candidates(last Participant) []Participant {
	if g.Transitions == nil || last == nil {
		return append([]Participant(nil), g.Members...)
	}
	var out []Participant
	for _, m := range g.Members {
		if g.Transitions.Allows(last.Name(), m.Name()) {
			out = append(out, m)
		}
	}
	return out
}

// Run starts a group chat: initiator, who must be a member, sends first; then
// the selector picks each next speaker until a stop condition holds. The
// chat options of Initiate apply (termination, transcript, observers, chat
// ID, history); WithMaxTurns does not: use MaxRounds.
//
// The chat ends when: a message meets the termination condition (and the
// initiator, if it is a TerminationReviewer, lets it end); MaxRounds is
// reached; a speaker returns ErrNoReply or another *StopError; the selector
// returns a *StopError; a speaker or the selector fails; or ctx is done.
// As with Initiate, the Result is returned even when the chat fails.
func (g *GroupChat) Run(ctx context.Context, initiator Participant, first string, opts ...Option) (*Result, error) {
	return g.RunMessage(ctx, initiator, Message{Content: first}, opts...)
}

// RunMessage is Run with a full first message. An empty first message is
// allowed only when resuming with WithHistory; the next speaker is then
// selected after the last message of the history.
func (g *GroupChat) RunMessage(ctx context.Context, initiator Participant, first Message, opts ...Option) (*Result, error) {
	if err := g.validate(); err != nil {
		return nil, err
	}
	if initiator == nil {
		return nil, errors.New("conversation: a group chat needs an initiator")
	}
	if _, ok := g.member(initiator.Name()); !ok {
		return nil, fmt.Errorf("conversation: the initiator %q is not a member of the group chat", initiator.Name())
	}
	cfg := newConfig(opts)
	if first.IsEmpty() && len(cfg.history) == 0 {
		return nil, ErrEmptyMessage
	}
	return runChat(cfg, Names(g.Members), func(base *engine) *Result {
		e := &groupEngine{engine: *base, g: g, initiator: initiator}
		res := e.run(ctx, first)
		res.Turns = e.rounds
		return res
	})
}

type groupEngine struct {
	engine
	g         *GroupChat
	initiator Participant
	rounds    int
}

func (e *groupEngine) maxRounds() int {
	if e.g.MaxRounds == 0 {
		return DefaultMaxRounds
	}
	return e.g.MaxRounds
}

func (e *groupEngine) run(ctx context.Context, first Message) *Result {
	e.rounds = e.chat.Len()
	if !first.IsEmpty() {
		if first.Origin == OriginUnknown {
			first.Origin = OriginInitial
		}
		if err := e.append(first, e.initiator.Name()); err != nil {
			return e.finish(ReasonError, err.Error(), err)
		}
		e.rounds++
	}
	selector := e.g.Selector
	if selector == nil {
		selector = RoundRobin()
	}
	for {
		if err := ctx.Err(); err != nil {
			return e.finish(ReasonCancelled, err.Error(), err)
		}
		last, _ := e.chat.Last()
		var lastSpeaker Participant
		if i, ok := e.g.member(last.Name); ok {
			lastSpeaker = e.g.Members[i]
		}
		terminating := e.cfg.terminate(last)
		if _, reviews := e.initiator.(TerminationReviewer); terminating && !reviews {
			return e.finish(ReasonTermination, "", nil)
		}
		if max := e.maxRounds(); max > 0 && e.rounds >= max {
			return e.finish(ReasonMaxRounds, fmt.Sprintf("%d rounds", e.rounds), nil)
		}
		if terminating {
			m, end := e.review(ctx)
			if end != nil {
				return end
			}
			if err := e.append(m, e.initiator.Name()); err != nil {
				return e.finish(ReasonError, err.Error(), err)
			}
			e.rounds++
			continue
		}
		speaker, res := e.selectSpeaker(ctx, selector, lastSpeaker)
		if res != nil {
			return res
		}
		m, err := speaker.Reply(ctx, e.chat)
		if err != nil {
			return e.ended(ctx, speaker.Name(), err)
		}
		if m.IsEmpty() {
			return e.finish(ReasonNoReply, speaker.Name()+" sent an empty reply", nil)
		}
		if err := e.append(m, speaker.Name()); err != nil {
			return e.finish(ReasonError, err.Error(), err)
		}
		e.rounds++
	}
}

// review asks the initiator, when it is a TerminationReviewer, whether the
// chat may end; it returns the message to go on with, or the ending.
func (e *groupEngine) review(ctx context.Context) (Message, *Result) {
	rev, ok := e.initiator.(TerminationReviewer)
	if !ok {
		return Message{}, e.finish(ReasonTermination, "", nil)
	}
	m, end := e.engine.review(ctx, e.initiator.Name(), rev)
	if end != nil {
		return Message{}, end
	}
	if m.IsEmpty() {
		return Message{}, e.finish(ReasonTermination, "", nil)
	}
	return m, nil
}

func (e *groupEngine) selectSpeaker(ctx context.Context, selector SpeakerSelector, last Participant) (Participant, *Result) {
	cands := e.g.candidates(last)
	if len(cands) == 0 {
		err := fmt.Errorf("conversation: the transitions allow nobody to speak after %s", last.Name())
		return nil, e.finish(ReasonError, err.Error(), err)
	}
	sel := Selection{Chat: e.chat, Last: last, Members: e.g.Members, Candidates: cands, Round: e.rounds}
	p, err := selector.SelectSpeaker(ctx, sel)
	if err != nil {
		if se, ok := stopOf(err); ok {
			return nil, e.finish(se.Reason, se.Detail, nil)
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return nil, e.finish(ReasonCancelled, ctx.Err().Error(), fmt.Errorf("chat cancelled while selecting the next speaker: %w", err))
		}
		err = fmt.Errorf("selecting the next speaker: %w", err)
		return nil, e.finish(ReasonError, err.Error(), err)
	}
	if p == nil || !slices.ContainsFunc(cands, func(c Participant) bool { return c.Name() == p.Name() }) {
		name := "nobody"
		if p != nil {
			name = fmt.Sprintf("%q", p.Name())
		}
		err := fmt.Errorf("%w: the selector picked %s; allowed: %s", ErrInvalidSpeaker, name, strings.Join(Names(cands), ", "))
		return nil, e.finish(ReasonError, err.Error(), err)
	}
	return p, nil
}

// Names returns the names of ps.
func Names(ps []Participant) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name()
	}
	return out
}
