package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/parley-go/parley/conversation"
)

// MetaNested is the key under which a nested-chat reply carries a
// NestedRecord in its Meta.
const MetaNested = "nested"

// NestedChat is one inner chat an agent runs to answer a message.
type NestedChat struct {
	// Recipient answers the inner chat's first message; or set Group to
	// run a group chat (Sender must then be a member).
	Recipient conversation.Participant
	Group     *conversation.GroupChat
	// Sender sends the first message. By default it is a silent stand-in
	// named after the answering agent, which sends the first message and
	// then has nothing more to say, so the inner chat is one exchange.
	Sender conversation.Participant
	// Message makes the inner chat's first message from the outer turn
	// (default: the content of the outer chat's last message).
	Message func(t *Turn) (string, error)
	// Summary turns the inner chat into text (default
	// conversation.LastMessage); the last chat's summary is the reply.
	Summary conversation.SummaryMethod
	// Options are the inner chat's options (max turns, observers, ...).
	Options []conversation.Option
}

// NestedRecord is what a nested-chat reply records about its inner chats.
type NestedRecord struct {
	Chats []NestedChatRecord `json:"chats"`
}

// NestedChatRecord summarises one inner chat.
type NestedChatRecord struct {
	ChatID   string                  `json:"chat_id"`
	Reason   conversation.StopReason `json:"reason"`
	Messages int                     `json:"messages"`
	Summary  string                  `json:"summary"`
}

// Nested is a reply step that answers by running inner chats, one after
// another with their summaries carried over (as conversation.RunSequential),
// and replying with the last chat's summary. Add it to an agent with
// WithReply:
//
//	agents.WithReply("nested", &agents.Nested{Chats: []agents.NestedChat{{Recipient: critic}}})
type Nested struct {
	Chats []NestedChat
	// Trigger, when set, decides whether the step answers this turn; by
	// default it answers every turn.
	Trigger func(t *Turn) bool
}

type silent struct{ name string }

func (s silent) Name() string { return s.name }
func (s silent) Reply(context.Context, *conversation.Chat) (conversation.Message, error) {
	return conversation.Message{}, conversation.ErrNoReply
}

// Reply implements Replier.
func (n *Nested) Reply(ctx context.Context, t *Turn) (conversation.Message, bool, error) {
	if len(n.Chats) == 0 || (n.Trigger != nil && !n.Trigger(t)) {
		return conversation.Message{}, false, nil
	}
	seq := make([]conversation.SequentialChat, len(n.Chats))
	for i, nc := range n.Chats {
		msg := ""
		if nc.Message != nil {
			var err error
			if msg, err = nc.Message(t); err != nil {
				return conversation.Message{}, false, fmt.Errorf("nested chat %d: first message: %w", i+1, err)
			}
		} else if last, ok := t.Last(); ok {
			msg = last.Content
		}
		sender := nc.Sender
		if sender == nil {
			sender = silent{name: t.Agent.Name()}
		}
		if nc.Recipient == nil && nc.Group == nil {
			return conversation.Message{}, false, errors.New("nested chat needs a Recipient or a Group")
		}
		seq[i] = conversation.SequentialChat{Initiator: sender, Recipient: nc.Recipient, Group: nc.Group, Message: msg, Summary: nc.Summary, Options: nc.Options}
	}
	results, err := conversation.RunSequential(ctx, seq)
	if err != nil {
		return conversation.Message{}, false, fmt.Errorf("%s's nested chats: %w", t.Agent.Name(), err)
	}
	var rec NestedRecord
	var usage conversation.Usage
	for _, r := range results {
		rec.Chats = append(rec.Chats, NestedChatRecord{ChatID: r.ChatID, Reason: r.Reason, Messages: len(r.History), Summary: r.Summary})
		usage = usage.Add(r.Usage)
	}
	msg := conversation.Message{Content: results[len(results)-1].Summary, Origin: conversation.OriginFunction}
	if usage.TotalTokens > 0 {
		msg.Usage = &usage
	}
	if raw, err := json.Marshal(rec); err == nil {
		msg.Meta = map[string]json.RawMessage{MetaNested: raw}
	}
	return msg, true, nil
}
