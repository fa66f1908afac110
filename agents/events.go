package agents

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
)

// Event is something that happened while an agent replied: one of
// *MessageEvent, *TokenEvent, *ToolCallEvent, *ToolResultEvent,
// *BlockReviewedEvent, *ExecutionStartedEvent, *ExecutionFinishedEvent or
// *RetryEvent. Switch on the type to handle the ones you care about.
type Event interface {
	// Header says when, in which chat and from which agent.
	Header() EventHeader
	isEvent()
}

// EventHeader is common to all events.
type EventHeader struct {
	Time   time.Time
	ChatID string
	Agent  string
}

// Header returns h.
func (h EventHeader) Header() EventHeader { return h }
func (EventHeader) isEvent()              {}

func (h *EventHeader) stamp(v EventHeader) { *h = v }

// MessageEvent: an agent produced a reply (before the chat appends it).
type MessageEvent struct {
	EventHeader
	Message conversation.Message
	// Step names the reply step that answered.
	Step string
}

// TokenEvent: a fragment of a streamed model reply.
type TokenEvent struct {
	EventHeader
	Token string
}

// ToolCallEvent: an agent starts executing a tool call.
type ToolCallEvent struct {
	EventHeader
	Call conversation.ToolCall
}

// ToolResultEvent: a tool call finished (IsError marks failures).
type ToolResultEvent struct {
	EventHeader
	Result   conversation.ToolResponse
	Duration time.Duration
}

// BlockReviewedEvent: an approver decided on a code block (fenced or sent
// through the run_code tool).
type BlockReviewedEvent struct {
	EventHeader
	Review   Review
	Decision Decision
}

// ExecutionStartedEvent: approved blocks were handed to an executor.
// CallID is the run_code tool call they came from, empty for fenced blocks.
type ExecutionStartedEvent struct {
	EventHeader
	Executor string
	Blocks   []executors.CodeBlock
	CallID   string
}

// ExecutionFinishedEvent: an executor returned. Err is a failure of the
// executor itself; failing code shows in Result.
type ExecutionFinishedEvent struct {
	EventHeader
	Executor string
	CallID   string
	Result   executors.Result
	Err      error
	Duration time.Duration
}

// RetryEvent: a model call failed and will be retried after Delay.
type RetryEvent struct {
	EventHeader
	// Attempt is the number of the attempt that failed (1 for the first).
	Attempt int
	Delay   time.Duration
	Err     error
	// Partial is the content a broken stream had already passed on as
	// tokens; the retry streams the reply again from its start, so a user
	// interface should discard what it showed.
	Partial string
}

// subscriber serialises calls to one subscription so that a subscriber
// never runs concurrently with itself, even when parallel tool calls emit.
type subscriber struct {
	mu sync.Mutex
	f  func(Event)
}

func (s *subscriber) deliver(ev Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f(ev)
}

type eventScopeKey struct{}

// eventScope is what a context carries: subscribers, and who is speaking.
type eventScope struct {
	subs   []*subscriber
	agent  string
	chatID string
}

func scopeOf(ctx context.Context) *eventScope {
	s, _ := ctx.Value(eventScopeKey{}).(*eventScope)
	return s
}

// ContextWithEvents returns a context whose holder's events (every agent
// that replies under it, and the model calls they make) also go to f. Use
// it to watch a whole chat: pass the context to conversation.Initiate.
//
// f is called synchronously, from the goroutine that emits, and never
// concurrently with itself; it must return promptly, since the chat waits
// for it. Hand events to an EventQueue to decouple a slow consumer.
func ContextWithEvents(ctx context.Context, f func(Event)) context.Context {
	if f == nil {
		return ctx
	}
	return withSubscriber(ctx, &subscriber{f: f})
}

func withSubscriber(ctx context.Context, sub *subscriber) context.Context {
	old := scopeOf(ctx)
	s := &eventScope{subs: []*subscriber{sub}}
	if old != nil {
		s.subs = append(append([]*subscriber(nil), old.subs...), sub)
		s.agent, s.chatID = old.agent, old.chatID
	}
	return context.WithValue(ctx, eventScopeKey{}, s)
}

// withSpeaker records the agent and chat that events under ctx come from.
func withSpeaker(ctx context.Context, agent, chatID string) context.Context {
	old := scopeOf(ctx)
	if old == nil {
		return ctx
	}
	s := *old
	s.agent, s.chatID = agent, chatID
	return context.WithValue(ctx, eventScopeKey{}, &s)
}

// hasSubscribers reports whether events emitted under ctx reach anyone.
func hasSubscribers(ctx context.Context) bool {
	s := scopeOf(ctx)
	return s != nil && len(s.subs) > 0
}

// WithEvents sends the agent's events to f: its messages, the tokens of
// its streamed model replies (the model is asked to stream when anyone
// subscribes), the tool calls it executes, the code it reviews and runs,
// and its model's retries. f is called as ContextWithEvents describes.
func WithEvents(f func(Event)) Option {
	return func(a *ConversableAgent) error {
		if f != nil {
			a.events = append(a.events, &subscriber{f: f})
		}
		return nil
	}
}

// emit sends ev, stamped with ctx's speaker and the time, to ctx's
// subscribers.
func emit(ctx context.Context, ev Event) {
	s := scopeOf(ctx)
	if s == nil || len(s.subs) == 0 {
		return
	}
	h := EventHeader{Time: time.Now().UTC(), ChatID: s.chatID, Agent: s.agent}
	// Every event embeds EventHeader, whose pointer method stamps it.
	if st, ok := ev.(interface{ stamp(EventHeader) }); ok {
		st.stamp(h)
	}
	for _, sub := range s.subs {
		sub.deliver(ev)
	}
}

// EventQueue decouples a slow event consumer from the chat: Emit never
// blocks; when the queue is full the event is dropped and counted.
type EventQueue struct {
	ch      chan Event
	dropped atomic.Int64
	mu      sync.RWMutex
	closed  bool
}

// NewEventQueue returns a queue holding up to size events (at least 1).
func NewEventQueue(size int) *EventQueue {
	return &EventQueue{ch: make(chan Event, max(size, 1))}
}

// Emit queues ev, or drops it when the queue is full or closed. Pass it to
// WithEvents or ContextWithEvents.
func (q *EventQueue) Emit(ev Event) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		q.dropped.Add(1)
		return
	}
	select {
	case q.ch <- ev:
	default:
		q.dropped.Add(1)
	}
}

// Events returns the channel to read events from; it is closed by Close.
func (q *EventQueue) Events() <-chan Event { return q.ch }

// Dropped returns how many events were dropped.
func (q *EventQueue) Dropped() int64 { return q.dropped.Load() }

// Close closes the channel; later events are dropped. Safe to call more
// than once.
func (q *EventQueue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}
