package conversation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Participant is anyone who takes part in a chat: an LLM-backed agent, a
// human, a code executor, or a plain Go function.
//
// Participants hold no per-chat state: everything about the chat is in the
// *Chat they are handed, so one participant value can take part in many chats
// at once, from many goroutines.
type Participant interface {
	Name() string
	// Reply returns the participant's next message given the chat so far.
	// It returns ErrNoReply when it has nothing to say, and a *StopError to
	// end the chat for another reason.
	Reply(ctx context.Context, chat *Chat) (Message, error)
}

// TerminationReviewer is implemented by participants that want a say before
// a chat ends on a termination message: a human in the loop may continue the
// chat by replying. ReviewTermination returns the message to send instead of
// ending, or ErrNoReply (or another *StopError) to let the chat end.
type TerminationReviewer interface {
	ReviewTermination(ctx context.Context, chat *Chat) (Message, error)
}

// ParticipantFunc adapts a function to a Participant.
type ParticipantFunc struct {
	ParticipantName string
	Func            func(ctx context.Context, chat *Chat) (Message, error)
}

// Name returns the participant's name.
func (p ParticipantFunc) Name() string { return p.ParticipantName }

// Reply calls the function.
func (p ParticipantFunc) Reply(ctx context.Context, chat *Chat) (Message, error) {
	return p.Func(ctx, chat)
}

// Chat owns a transcript and the resources participants open for it. It is
// safe for concurrent use.
type Chat struct {
	id           string
	participants []string

	mu        sync.RWMutex
	messages  []Message
	observers []func(Message)
	sink      *TranscriptWriter

	resMu     sync.Mutex
	resources map[any]io.Closer
	resOrder  []any
	closed    bool

	now func() time.Time
}

// NewChat returns an empty chat among the named participants. Chat engines
// (Initiate, group chats) create chats; it is exported for custom engines and
// for tests of participants.
func NewChat(id string, participants ...string) *Chat {
	if id == "" {
		id = newID()
	}
	return &Chat{id: id, participants: participants, resources: map[any]io.Closer{}, now: time.Now}
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// ID identifies the chat in transcripts and audit logs.
func (c *Chat) ID() string { return c.id }

// Participants returns the names of the chat's participants.
func (c *Chat) Participants() []string { return append([]string(nil), c.participants...) }

// Messages returns a copy of the transcript so far.
func (c *Chat) Messages() []Message {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]Message(nil), c.messages...)
}

// Len returns the number of messages so far.
func (c *Chat) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.messages)
}

// Last returns the latest message, and false when there is none.
func (c *Chat) Last() (Message, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.messages) == 0 {
		return Message{}, false
	}
	return c.messages[len(c.messages)-1], true
}

// Observe registers f to be called with each message as it joins the
// transcript, in order. f must not call back into Append.
func (c *Chat) Observe(f func(Message)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.observers = append(c.observers, f)
}

// Append adds m to the transcript, stamping its time, writes it to the
// transcript file if one is set, and tells observers. A failure to write the
// transcript file is returned after the message was added, so nothing of the
// chat is lost in memory.
func (c *Chat) Append(m Message) error {
	if m.Time.IsZero() {
		m.Time = c.now().UTC()
	}
	c.mu.Lock()
	c.messages = append(c.messages, m)
	observers := c.observers
	sink := c.sink
	var err error
	if sink != nil {
		err = sink.Write(m)
	}
	c.mu.Unlock()
	for _, f := range observers {
		f(m)
	}
	return err
}

// appendHistory seeds the transcript (resumed chats) without notifying
// observers or writing the transcript file.
func (c *Chat) appendHistory(ms []Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.messages = append(c.messages, ms...)
}

func (c *Chat) setSink(w *TranscriptWriter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sink = w
}

// Resource returns the chat-scoped resource stored under key, opening it
// with open on first use. Resources are closed, newest first, when the chat
// ends. This is how a participant keeps per-chat state (a container, a
// kernel) without holding it itself.
func (c *Chat) Resource(key any, open func() (io.Closer, error)) (io.Closer, error) {
	c.resMu.Lock()
	defer c.resMu.Unlock()
	if c.closed {
		return nil, errors.New("conversation: chat has ended")
	}
	if r, ok := c.resources[key]; ok {
		return r, nil
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	c.resources[key] = r
	c.resOrder = append(c.resOrder, key)
	return r, nil
}

// Close closes the chat's resources. Engines call it when the chat ends; it
// is safe to call more than once.
func (c *Chat) Close() error {
	c.resMu.Lock()
	defer c.resMu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	var errs []error
	for i := len(c.resOrder) - 1; i >= 0; i-- {
		key := c.resOrder[i]
		if err := c.resources[key].Close(); err != nil {
			errs = append(errs, fmt.Errorf("close chat resource %v: %w", key, err))
		}
	}
	c.resources = nil
	c.resOrder = nil
	return errors.Join(errs...)
}
