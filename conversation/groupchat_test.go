package conversation_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func speakers(ms []conversation.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name
	}
	return out
}

func TestGroupChatSelection(t *testing.T) {
	a, b, c := echo("a"), echo("b"), echo("c")
	tests := []struct {
		name     string
		g        conversation.GroupChat
		speakers []string
	}{
		{
			name:     "round robin wraps around",
			g:        conversation.GroupChat{Members: []conversation.Participant{a, b, c}, MaxRounds: 6},
			speakers: []string{"a", "b", "c", "a", "b", "c"},
		},
		{
			name: "round robin skips members the graph forbids",
			g: conversation.GroupChat{Members: []conversation.Participant{a, b, c}, MaxRounds: 5,
				Transitions: conversation.DisallowedTransitions(map[string][]string{"a": {"b"}})},
			speakers: []string{"a", "c", "a", "c", "a"},
		},
		{
			name: "allowed transitions",
			g: conversation.GroupChat{Members: []conversation.Participant{a, b, c}, MaxRounds: 5,
				Transitions: conversation.AllowedTransitions(map[string][]string{"a": {"c"}, "c": {"b"}, "b": {"a"}})},
			speakers: []string{"a", "c", "b", "a", "c"},
		},
		{
			name: "custom function",
			g: conversation.GroupChat{Members: []conversation.Participant{a, b, c}, MaxRounds: 5,
				Selector: conversation.SelectorFunc(func(_ context.Context, s conversation.Selection) (conversation.Participant, error) {
					if s.Last.Name() == "a" {
						return s.Members[2], nil // a hands over to c
					}
					return s.Members[0], nil
				})},
			speakers: []string{"a", "c", "a", "c", "a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.g.Run(context.Background(), a, "hi")
			require.NoError(t, err)
			assert.Equal(t, tt.speakers, speakers(res.History))
			assert.Equal(t, conversation.ReasonMaxRounds, res.Reason)
			assert.Equal(t, len(tt.speakers), res.Turns)
		})
	}
}

func TestGroupChatRandomIsSeededAndAvoidsRepeats(t *testing.T) {
	members := []conversation.Participant{echo("a"), echo("b"), echo("c"), echo("d")}
	run := func(seed uint64) []string {
		g := conversation.GroupChat{Members: members, MaxRounds: 30, Selector: conversation.Random(rand.NewPCG(seed, 1))}
		res, err := g.Run(context.Background(), members[0], "hi")
		require.NoError(t, err)
		return speakers(res.History)
	}
	first := run(7)
	assert.Equal(t, first, run(7), "the same seed gives the same chat")
	seen := map[string]bool{}
	for i := 1; i < len(first); i++ {
		assert.NotEqual(t, first[i-1], first[i], "no member speaks twice in a row")
		seen[first[i]] = true
	}
	assert.Len(t, seen, 4, "every member gets picked in 30 rounds")
}

func TestGroupChatStops(t *testing.T) {
	a := echo("a")
	terminator := &scripted{name: "t", lines: []string{"all done TERMINATE"}}
	res, err := (&conversation.GroupChat{Members: []conversation.Participant{a, terminator}}).Run(context.Background(), a, "hi")
	require.NoError(t, err)
	assert.Equal(t, conversation.ReasonTermination, res.Reason)
	assert.Equal(t, []string{"a: hi", "t: all done TERMINATE"}, contents(res.History))

	// The initiator may continue a chat that would end.
	rev := reviewer{Participant: echo("a"), answer: "not yet"}
	terminator = &scripted{name: "t", lines: []string{"TERMINATE", "TERMINATE"}}
	res, err = (&conversation.GroupChat{Members: []conversation.Participant{rev, terminator}, MaxRounds: 4}).Run(context.Background(), rev, "hi")
	require.NoError(t, err)
	assert.Equal(t, []string{"a: hi", "t: TERMINATE", "a: not yet", "t: TERMINATE"}, contents(res.History))
	assert.Equal(t, conversation.ReasonMaxRounds, res.Reason)

	// A selector may end the chat (a human typing exit).
	g := conversation.GroupChat{Members: []conversation.Participant{a, echo("b")},
		Selector: conversation.SelectorFunc(func(context.Context, conversation.Selection) (conversation.Participant, error) {
			return nil, conversation.Stop(conversation.ReasonHumanExit, "bye")
		})}
	res, err = g.Run(context.Background(), a, "hi")
	require.NoError(t, err)
	assert.Equal(t, conversation.ReasonHumanExit, res.Reason)
	assert.Equal(t, "bye", res.Detail)

	// Silence ends the chat.
	res, err = (&conversation.GroupChat{Members: []conversation.Participant{a, &scripted{name: "quiet"}}}).Run(context.Background(), a, "hi")
	require.NoError(t, err)
	assert.Equal(t, conversation.ReasonNoReply, res.Reason)
}

func TestGroupChatRejectsInvalidSpeakers(t *testing.T) {
	a, b, c := echo("a"), echo("b"), echo("c")
	outsider := echo("x")
	tests := []struct {
		name string
		pick conversation.Participant
		tr   *conversation.Transitions
	}{
		{"not a member", outsider, nil},
		{"nobody", nil, nil},
		{"forbidden by the graph", b, conversation.AllowedTransitions(map[string][]string{"a": {"c"}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := conversation.GroupChat{Members: []conversation.Participant{a, b, c}, Transitions: tt.tr,
				Selector: conversation.SelectorFunc(func(context.Context, conversation.Selection) (conversation.Participant, error) {
					return tt.pick, nil
				})}
			res, err := g.Run(context.Background(), a, "hi")
			require.ErrorIs(t, err, conversation.ErrInvalidSpeaker)
			assert.Equal(t, conversation.ReasonError, res.Reason)
			assert.Equal(t, []string{"a: hi"}, contents(res.History), "history is kept")
		})
	}

	// A dead end in the graph is reported, not looped on.
	g := conversation.GroupChat{Members: []conversation.Participant{a, b}, Transitions: conversation.AllowedTransitions(map[string][]string{"a": {"b"}})}
	_, err := g.Run(context.Background(), a, "hi")
	require.ErrorContains(t, err, "allow nobody to speak after b")
}

func TestGroupChatBadConfig(t *testing.T) {
	a, b := echo("a"), echo("b")
	tests := []struct {
		name string
		g    conversation.GroupChat
		init conversation.Participant
		msg  string
	}{
		{"one member", conversation.GroupChat{Members: []conversation.Participant{a}}, a, "at least two"},
		{"duplicate names", conversation.GroupChat{Members: []conversation.Participant{a, echo("a")}}, a, "names must differ"},
		{"initiator outside", conversation.GroupChat{Members: []conversation.Participant{a, b}}, echo("z"), "not a member"},
		{"graph names a stranger", conversation.GroupChat{Members: []conversation.Participant{a, b},
			Transitions: conversation.AllowedTransitions(map[string][]string{"a": {"zed"}})}, a, "non-members: zed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.g.Run(context.Background(), tt.init, "hi")
			require.ErrorContains(t, err, tt.msg)
		})
	}
	_, err := (&conversation.GroupChat{Members: []conversation.Participant{a, b}}).Run(context.Background(), a, "")
	require.ErrorIs(t, err, conversation.ErrEmptyMessage)
}

func TestGroupChatFailureAndTranscript(t *testing.T) {
	var buf bytes.Buffer
	a := echo("a")
	bad := conversation.ParticipantFunc{ParticipantName: "bad", Func: func(context.Context, *conversation.Chat) (conversation.Message, error) {
		return conversation.Message{}, errors.New("boom")
	}}
	res, err := (&conversation.GroupChat{Members: []conversation.Participant{a, bad}}).Run(context.Background(), a, "hi", conversation.WithTranscript(&buf))
	require.ErrorContains(t, err, "bad failed to reply: boom")
	assert.Equal(t, conversation.ReasonError, res.Reason)
	back, rerr := conversation.ReadTranscript(&buf)
	require.NoError(t, rerr)
	assert.Equal(t, []string{"a: hi"}, contents(back))
}
