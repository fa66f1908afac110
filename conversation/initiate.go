package conversation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// IsTermination is the default termination condition: the trimmed content
// ends with "TERMINATE", as in AutoGen.
func IsTermination(m Message) bool {
	return strings.HasSuffix(strings.TrimSpace(m.Content), "TERMINATE")
}

// config holds the options of a chat.
type config struct {
	id         string
	maxTurns   int
	terminate  func(Message) bool
	transcript io.Writer
	observers  []func(Message)
	history    []Message
}

// Option configures a chat.
type Option func(*config)

// WithMaxTurns ends the chat after the initiator has sent n messages and the
// recipient has answered the last one. Zero or less means no limit.
func WithMaxTurns(n int) Option { return func(c *config) { c.maxTurns = n } }

// WithTermination replaces the termination condition (default IsTermination).
// A nil function disables termination by message content.
func WithTermination(f func(Message) bool) Option {
	return func(c *config) {
		if f == nil {
			f = func(Message) bool { return false }
		}
		c.terminate = f
	}
}

// WithTranscript writes each message to w as a JSON line as it arrives.
func WithTranscript(w io.Writer) Option { return func(c *config) { c.transcript = w } }

// WithObserver calls f with each message as it joins the transcript.
func WithObserver(f func(Message)) Option {
	return func(c *config) { c.observers = append(c.observers, f) }
}

// WithChatID sets the chat's ID (default random).
func WithChatID(id string) Option { return func(c *config) { c.id = id } }

// WithHistory seeds the chat with earlier messages, to resume a chat loaded
// with ReadTranscript. The seeded messages are not written to the transcript
// again.
func WithHistory(ms []Message) Option { return func(c *config) { c.history = ms } }

func newConfig(opts []Option) config {
	c := config{terminate: IsTermination}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// ErrEmptyMessage is returned when a chat is started with nothing to say.
var ErrEmptyMessage = errors.New("conversation: the first message is empty")

// Initiate runs a two-agent chat: initiator sends first, then the two take
// turns until a stop condition holds. It returns the result even when the
// chat ends on an error, so the history is never lost; the error is then
// also returned.
//
// The chat ends when: a message meets the termination condition (and the
// participant due to answer, if it is a TerminationReviewer, lets it end);
// the turn limit is reached; a participant returns ErrNoReply or another
// *StopError; a participant fails; or ctx is done.
func Initiate(ctx context.Context, initiator, recipient Participant, first string, opts ...Option) (*Result, error) {
	return InitiateMessage(ctx, initiator, recipient, Message{Content: first}, opts...)
}

// InitiateMessage is Initiate with a full first message (tool calls,
// metadata). An empty first message is allowed only when resuming with
// WithHistory.
func InitiateMessage(ctx context.Context, initiator, recipient Participant, first Message, opts ...Option) (*Result, error) {
	if initiator == nil || recipient == nil {
		return nil, errors.New("conversation: both participants are required")
	}
	if initiator.Name() == "" || recipient.Name() == "" {
		return nil, errors.New("conversation: participants need names")
	}
	if initiator.Name() == recipient.Name() {
		return nil, fmt.Errorf("conversation: both participants are named %q; names must differ", initiator.Name())
	}
	cfg := newConfig(opts)
	if strings.TrimSpace(first.Content) == "" && len(first.ToolCalls) == 0 && len(cfg.history) == 0 {
		return nil, ErrEmptyMessage
	}

	return runChat(cfg, []string{initiator.Name(), recipient.Name()}, func(e *engine) *Result {
		return e.run(ctx, initiator, recipient, first)
	})
}

// runChat is what every chat engine does around its own loop: it sets up
// the chat from cfg, runs it, times it and closes the chat's resources.
func runChat(cfg config, participants []string, run func(*engine) *Result) (*Result, error) {
	start := time.Now()
	chat := NewChat(cfg.id, participants...)
	chat.appendHistory(cfg.history)
	if cfg.transcript != nil {
		chat.setSink(NewTranscriptWriter(cfg.transcript))
	}
	for _, f := range cfg.observers {
		chat.Observe(f)
	}
	res := run(&engine{chat: chat, cfg: cfg})
	res.Duration = time.Since(start)
	if err := chat.Close(); err != nil {
		res.Err = errors.Join(res.Err, err)
	}
	return res, res.Err
}

type engine struct {
	chat *Chat
	cfg  config
}

func (e *engine) finish(reason StopReason, detail string, err error) *Result {
	r := &Result{ChatID: e.chat.ID(), History: e.chat.Messages(), Reason: reason, Detail: detail, Err: err}
	summarise(r)
	return r
}

// ended converts a participant's error into the chat's ending.
func (e *engine) ended(ctx context.Context, who string, err error) *Result {
	if se, ok := stopOf(err); ok {
		return e.finish(se.Reason, se.Detail, nil)
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return e.finish(ReasonCancelled, ctx.Err().Error(), fmt.Errorf("chat cancelled while %s was replying: %w", who, err))
	}
	return e.finish(ReasonError, err.Error(), fmt.Errorf("%s failed to reply: %w", who, err))
}

func (e *engine) append(m Message, from string) error {
	m.Name = from
	if err := e.chat.Append(m); err != nil {
		return fmt.Errorf("conversation: %w", err)
	}
	return nil
}

func (e *engine) run(ctx context.Context, initiator, recipient Participant, first Message) *Result {
	turns := 0
	for _, m := range e.cfg.history {
		if m.Name == initiator.Name() {
			turns++
		}
	}
	if !first.IsEmpty() {
		if first.Origin == OriginUnknown {
			first.Origin = OriginInitial
		}
		if err := e.append(first, initiator.Name()); err != nil {
			return e.finish(ReasonError, err.Error(), err)
		}
		turns++
	}
	// Participants are told apart by position, not by comparing interface
	// values (which panics for uncomparable participant types).
	parts := [2]Participant{initiator, recipient}
	// Resumed chats: whoever did not send the last message speaks next.
	next := 1
	if last, ok := e.chat.Last(); ok && last.Name == recipient.Name() {
		next = 0
	}
	for {
		if res := e.turn(ctx, parts[next], next == 0, &turns); res != nil {
			res.Turns = turns
			return res
		}
		next = 1 - next
	}
}

// turn lets speaker answer the latest message; it returns a Result when the
// chat ends.
func (e *engine) turn(ctx context.Context, speaker Participant, isInitiator bool, turns *int) *Result {
	if err := ctx.Err(); err != nil {
		return e.finish(ReasonCancelled, err.Error(), err)
	}
	last, _ := e.chat.Last()
	terminating := e.cfg.terminate(last)
	rev, reviews := speaker.(TerminationReviewer)
	if terminating && !reviews {
		return e.finish(ReasonTermination, "", nil)
	}
	if isInitiator && e.cfg.maxTurns > 0 && *turns >= e.cfg.maxTurns {
		return e.finish(ReasonMaxTurns, fmt.Sprintf("%d turns", *turns), nil)
	}
	if terminating {
		m, end := e.review(ctx, speaker.Name(), rev)
		if end != nil {
			return end
		}
		return e.accept(speaker, isInitiator, m, turns)
	}
	m, err := speaker.Reply(ctx, e.chat)
	if err != nil {
		return e.ended(ctx, speaker.Name(), err)
	}
	return e.accept(speaker, isInitiator, m, turns)
}

// review asks rev, the participant named who, whether the chat may end on
// a termination message; it returns the message to go on with, or the
// ending (ErrNoReply lets the chat end on the termination).
func (e *engine) review(ctx context.Context, who string, rev TerminationReviewer) (Message, *Result) {
	m, err := rev.ReviewTermination(ctx, e.chat)
	if err != nil {
		if se, ok := stopOf(err); ok && se.Reason == ReasonNoReply {
			return Message{}, e.finish(ReasonTermination, se.Detail, nil)
		}
		return Message{}, e.ended(ctx, who, err)
	}
	return m, nil
}

func (e *engine) accept(speaker Participant, isInitiator bool, m Message, turns *int) *Result {
	if m.IsEmpty() {
		return e.finish(ReasonNoReply, speaker.Name()+" sent an empty reply", nil)
	}
	if err := e.append(m, speaker.Name()); err != nil {
		return e.finish(ReasonError, err.Error(), err)
	}
	if isInitiator {
		*turns++
	}
	return nil
}
