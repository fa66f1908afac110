package agents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/parley-go/parley/conversation"
)

// Turn is what a reply function sees: the agent that is to answer, the chat,
// and a snapshot of its transcript.
type Turn struct {
	Agent    *ConversableAgent
	Chat     *conversation.Chat
	Messages []conversation.Message
}

// Last returns the latest message of the turn's transcript.
func (t *Turn) Last() (conversation.Message, bool) {
	if len(t.Messages) == 0 {
		return conversation.Message{}, false
	}
	return t.Messages[len(t.Messages)-1], true
}

// Replier is one step of an agent's reply chain. It either answers (ok is
// true) or passes to the next step. Returning a *conversation.StopError ends
// the chat.
type Replier interface {
	Reply(ctx context.Context, t *Turn) (msg conversation.Message, ok bool, err error)
}

// ReplyFunc adapts a function to the Replier interface.
type ReplyFunc func(ctx context.Context, t *Turn) (conversation.Message, bool, error)

// Reply calls f.
func (f ReplyFunc) Reply(ctx context.Context, t *Turn) (conversation.Message, bool, error) {
	return f(ctx, t)
}

// Names of the built-in steps of the reply chain, in chain order.
const (
	StepHuman         = "human"
	StepToolCalls     = "tool_calls"
	StepCodeExecution = "code_execution"
	StepLLM           = "llm"
	StepDefault       = "default"
)

type step struct {
	name string
	r    Replier
}

// DefaultMaxConsecutiveAutoReply is the limit used when none is set, as in
// AutoGen.
const DefaultMaxConsecutiveAutoReply = 100

// ConversableAgent is a participant whose behaviour is its reply chain. It is
// immutable once built and safe for concurrent use in many chats.
type ConversableAgent struct {
	name        string
	description string
	system      string
	llm         LLM
	human       Human
	humanMode   HumanInputMode
	maxAuto     int
	defaultMsg  string
	onToken     func(agent, token string)
	code        *codeExecution
	tools       *toolSet
	chain       []step
	logger      *slog.Logger
	events      []*subscriber
}

// Option configures a ConversableAgent.
type Option func(*ConversableAgent) error

// WithSystemMessage sets the system message sent to the LLM first.
func WithSystemMessage(s string) Option {
	return func(a *ConversableAgent) error { a.system = s; return nil }
}

// WithDescription sets how other agents (a group chat manager) see this one.
func WithDescription(s string) Option {
	return func(a *ConversableAgent) error { a.description = s; return nil }
}

// WithLLM backs the agent with a model.
func WithLLM(llm LLM) Option {
	return func(a *ConversableAgent) error { a.llm = llm; return nil }
}

// WithStreaming passes each content token of the agent's LLM replies to f as
// it arrives.
func WithStreaming(f func(agent, token string)) Option {
	return func(a *ConversableAgent) error { a.onToken = f; return nil }
}

// WithHumanInput sets the human input mode and the human asked. Modes other
// than HumanNever need a human.
func WithHumanInput(mode HumanInputMode, h Human) Option {
	return func(a *ConversableAgent) error {
		if mode != HumanNever && h == nil {
			return fmt.Errorf("human input mode %s needs a Human", mode)
		}
		a.humanMode, a.human = mode, h
		return nil
	}
}

// WithMaxConsecutiveAutoReply limits how many automatic replies in a row the
// agent sends before it asks its human (HumanTerminate) or ends the chat
// (HumanNever). Zero or less means DefaultMaxConsecutiveAutoReply.
func WithMaxConsecutiveAutoReply(n int) Option {
	return func(a *ConversableAgent) error { a.maxAuto = n; return nil }
}

// WithDefaultReply sets the reply sent when no other step answers. Without
// it the agent has no reply and the chat ends.
func WithDefaultReply(s string) Option {
	return func(a *ConversableAgent) error { a.defaultMsg = s; return nil }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(a *ConversableAgent) error { a.logger = l; return nil }
}

// WithReply adds a reply step named name before the built-in steps (the
// position AutoGen's register_reply uses). Later WithReply steps run first.
func WithReply(name string, r Replier) Option {
	return func(a *ConversableAgent) error {
		if r == nil {
			return errors.New("WithReply: nil Replier")
		}
		a.chain = append([]step{{name, r}}, a.chain...)
		return nil
	}
}

// New builds an agent. Without options it has no LLM, no human and no code
// execution, so it never replies; add what it should be backed by.
func New(name string, opts ...Option) (*ConversableAgent, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("agents: an agent needs a name")
	}
	a := &ConversableAgent{name: name}
	var user []step
	for _, o := range opts {
		before := len(a.chain)
		if err := o(a); err != nil {
			return nil, fmt.Errorf("agents: %s: %w", name, err)
		}
		if len(a.chain) != before {
			user = a.chain
		}
	}
	if a.maxAuto <= 0 {
		a.maxAuto = DefaultMaxConsecutiveAutoReply
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	a.chain = append(user,
		step{StepHuman, ReplyFunc(a.humanReply)},
		step{StepToolCalls, ReplyFunc(a.toolCallsReply)},
		step{StepCodeExecution, ReplyFunc(a.codeExecutionReply)},
		step{StepLLM, ReplyFunc(a.llmReply)},
		step{StepDefault, ReplyFunc(a.defaultReply)},
	)
	return a, nil
}

// Name returns the agent's name.
func (a *ConversableAgent) Name() string { return a.name }

// Description returns the agent's description, or its system message.
func (a *ConversableAgent) Description() string {
	if a.description != "" {
		return a.description
	}
	return a.system
}

// SystemMessage returns the system message.
func (a *ConversableAgent) SystemMessage() string { return a.system }

// LLM returns the agent's model, nil if it has none.
func (a *ConversableAgent) LLM() LLM { return a.llm }

// ReplyChain lists the names of the reply steps in the order they are tried.
func (a *ConversableAgent) ReplyChain() []string {
	names := make([]string, len(a.chain))
	for i, s := range a.chain {
		names[i] = s.name
	}
	return names
}

// Reply runs the reply chain: the first step that answers gives the reply.
// It implements conversation.Participant.
func (a *ConversableAgent) Reply(ctx context.Context, chat *conversation.Chat) (conversation.Message, error) {
	for _, sub := range a.events {
		ctx = withSubscriber(ctx, sub)
	}
	ctx = withSpeaker(ctx, a.name, chat.ID())
	t := &Turn{Agent: a, Chat: chat, Messages: chat.Messages()}
	for _, s := range a.chain {
		m, ok, err := s.r.Reply(ctx, t)
		if err != nil {
			return conversation.Message{}, err
		}
		if ok {
			a.logger.DebugContext(ctx, "reply", "agent", a.name, "step", s.name, "chat", chat.ID())
			ev := &MessageEvent{Message: m, Step: s.name}
			ev.Message.Name = a.name
			emit(ctx, ev)
			return m, nil
		}
	}
	return conversation.Message{}, conversation.ErrNoReply
}

// ReviewTermination lets the agent's human continue a chat that would end on
// a termination message (modes ALWAYS and TERMINATE). It implements
// conversation.TerminationReviewer.
func (a *ConversableAgent) ReviewTermination(ctx context.Context, chat *conversation.Chat) (conversation.Message, error) {
	if a.humanMode == HumanNever || a.human == nil {
		return conversation.Message{}, conversation.ErrNoReply
	}
	sender := lastSender(chat.Messages())
	in, err := a.human.Input(ctx, fmt.Sprintf("%s wants to end the chat. Press Enter or type 'exit' to end it, or type a reply to %s to go on:", sender, sender))
	if err != nil {
		return conversation.Message{}, fmt.Errorf("asking the human: %w", err)
	}
	if isExit(in) || strings.TrimSpace(in) == "" {
		return conversation.Message{}, conversation.ErrNoReply
	}
	return conversation.Message{Content: in, Origin: conversation.OriginHuman}, nil
}

func isExit(s string) bool { return strings.TrimSpace(s) == "exit" }

func lastSender(ms []conversation.Message) string {
	if len(ms) == 0 {
		return "the other agent"
	}
	return ms[len(ms)-1].Name
}

// consecutiveAutoReplies counts the agent's latest replies that no human
// typed, back to its last human-typed message. Counting from the transcript
// keeps the agent free of per-chat state.
func (a *ConversableAgent) consecutiveAutoReplies(ms []conversation.Message) int {
	n := 0
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Name != a.name {
			continue
		}
		if ms[i].Origin == conversation.OriginHuman || ms[i].Origin == conversation.OriginInitial {
			break
		}
		n++
	}
	return n
}

func (a *ConversableAgent) humanReply(ctx context.Context, t *Turn) (conversation.Message, bool, error) {
	auto := a.consecutiveAutoReplies(t.Messages)
	limitReached := auto >= a.maxAuto
	sender := lastSender(t.Messages)
	ask := false
	prompt := ""
	switch a.humanMode {
	case HumanAlways:
		ask = true
		prompt = fmt.Sprintf("Reply to %s. Press Enter to let %s answer automatically, or type 'exit' to end the chat:", sender, a.name)
	case HumanTerminate:
		if limitReached {
			ask = true
			prompt = fmt.Sprintf("%s has sent %d automatic replies in a row. Press Enter or type 'exit' to end the chat, or type a reply to %s:", a.name, auto, sender)
		}
	}
	if ask {
		in, err := a.human.Input(ctx, prompt)
		if err != nil {
			return conversation.Message{}, false, fmt.Errorf("asking the human: %w", err)
		}
		switch {
		case isExit(in):
			return conversation.Message{}, false, conversation.Stop(conversation.ReasonHumanExit, "the human typed exit")
		case strings.TrimSpace(in) != "":
			return conversation.Message{Content: in, Origin: conversation.OriginHuman}, true, nil
		case a.humanMode == HumanTerminate:
			return conversation.Message{}, false, conversation.Stop(conversation.ReasonMaxAutoReply, fmt.Sprintf("%s reached %d consecutive automatic replies", a.name, auto))
		}
	}
	if limitReached && a.humanMode == HumanNever {
		return conversation.Message{}, false, conversation.Stop(conversation.ReasonMaxAutoReply, fmt.Sprintf("%s reached %d consecutive automatic replies", a.name, auto))
	}
	return conversation.Message{}, false, nil
}

func (a *ConversableAgent) defaultReply(ctx context.Context, t *Turn) (conversation.Message, bool, error) {
	if a.defaultMsg == "" {
		return conversation.Message{}, false, nil
	}
	return conversation.Message{Content: a.defaultMsg, Origin: conversation.OriginFunction}, true, nil
}
