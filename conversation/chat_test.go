package conversation_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scripted answers with its lines in order, then ErrNoReply.
type scripted struct {
	name  string
	mu    sync.Mutex
	lines []string
}

func (s *scripted) Name() string { return s.name }

func (s *scripted) Reply(ctx context.Context, chat *conversation.Chat) (conversation.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lines) == 0 {
		return conversation.Message{}, conversation.ErrNoReply
	}
	l := s.lines[0]
	s.lines = s.lines[1:]
	return conversation.Message{Content: l, Usage: &conversation.Usage{PromptTokens: 2, CompletionTokens: 1, TotalTokens: 3}}, nil
}

// echo answers with a counter of the transcript length, forever.
func echo(name string) conversation.Participant {
	return conversation.ParticipantFunc{ParticipantName: name, Func: func(ctx context.Context, chat *conversation.Chat) (conversation.Message, error) {
		return conversation.Message{Content: fmt.Sprintf("%s #%d", name, chat.Len())}, nil
	}}
}

func contents(ms []conversation.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Name + ": " + m.Content
	}
	return out
}

func TestInitiateStopConditions(t *testing.T) {
	tests := []struct {
		name      string
		a, b      conversation.Participant
		opts      []conversation.Option
		reason    conversation.StopReason
		history   []string
		turns     int
		expectErr bool
	}{
		{
			name: "max turns counts initiator messages", a: echo("a"), b: echo("b"),
			opts:    []conversation.Option{conversation.WithMaxTurns(2)},
			reason:  conversation.ReasonMaxTurns,
			history: []string{"a: hi", "b: b #1", "a: a #2", "b: b #3"}, turns: 2,
		},
		{
			name: "termination message ends the chat", a: echo("a"),
			b:       &scripted{name: "b", lines: []string{"working", "done. TERMINATE  \n"}},
			reason:  conversation.ReasonTermination,
			history: []string{"a: hi", "b: working", "a: a #2", "b: done. TERMINATE  \n"}, turns: 2,
		},
		{
			name: "TERMINATE not at the end does not end", a: &scripted{name: "a", lines: []string{"ok"}},
			b:       &scripted{name: "b", lines: []string{"TERMINATE? not yet"}},
			opts:    []conversation.Option{conversation.WithMaxTurns(5)},
			reason:  conversation.ReasonNoReply,
			history: []string{"a: hi", "b: TERMINATE? not yet", "a: ok"}, turns: 2,
		},
		{
			name: "custom termination", a: echo("a"), b: echo("b"),
			opts: []conversation.Option{conversation.WithTermination(func(m conversation.Message) bool {
				return strings.HasSuffix(m.Content, "#3")
			})},
			reason:  conversation.ReasonTermination,
			history: []string{"a: hi", "b: b #1", "a: a #2", "b: b #3"}, turns: 2,
		},
		{
			name: "no reply ends", a: echo("a"), b: &scripted{name: "b"},
			reason: conversation.ReasonNoReply, history: []string{"a: hi"}, turns: 1,
		},
		{
			name: "stop error carries reason and detail", a: echo("a"),
			b: conversation.ParticipantFunc{ParticipantName: "b", Func: func(context.Context, *conversation.Chat) (conversation.Message, error) {
				return conversation.Message{}, conversation.Stop(conversation.ReasonMaxAutoReply, "limit 3")
			}},
			reason: conversation.ReasonMaxAutoReply, history: []string{"a: hi"}, turns: 1,
		},
		{
			name: "failing participant keeps history", a: echo("a"),
			b: conversation.ParticipantFunc{ParticipantName: "b", Func: func(_ context.Context, c *conversation.Chat) (conversation.Message, error) {
				if c.Len() > 2 {
					return conversation.Message{}, errors.New("llm down")
				}
				return conversation.Message{Content: "first"}, nil
			}},
			reason: conversation.ReasonError, history: []string{"a: hi", "b: first", "a: a #2"}, turns: 2, expectErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := conversation.Initiate(context.Background(), tt.a, tt.b, "hi", tt.opts...)
			if tt.expectErr {
				require.Error(t, err)
				require.ErrorIs(t, res.Err, err)
			} else {
				require.NoError(t, err)
			}
			require.NotNil(t, res)
			assert.Equal(t, tt.reason, res.Reason)
			assert.Equal(t, tt.history, contents(res.History))
			assert.Equal(t, tt.turns, res.Turns)
			assert.Equal(t, res.History[len(res.History)-1].Content, res.Summary)
		})
	}
}

func TestInitiateRejectsBadInput(t *testing.T) {
	_, err := conversation.Initiate(context.Background(), echo("a"), echo("b"), "   ")
	require.ErrorIs(t, err, conversation.ErrEmptyMessage)
	_, err = conversation.Initiate(context.Background(), echo("a"), echo("a"), "hi")
	require.ErrorContains(t, err, "names must differ")
	_, err = conversation.Initiate(context.Background(), nil, echo("a"), "hi")
	require.Error(t, err)
}

func TestInitiateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	slow := conversation.ParticipantFunc{ParticipantName: "slow", Func: func(ctx context.Context, _ *conversation.Chat) (conversation.Message, error) {
		cancel()
		<-ctx.Done()
		return conversation.Message{}, ctx.Err()
	}}
	res, err := conversation.Initiate(ctx, echo("a"), slow, "hi")
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, conversation.ReasonCancelled, res.Reason)
	assert.Equal(t, []string{"a: hi"}, contents(res.History))
}

type reviewer struct {
	conversation.Participant
	answer string
}

func (r reviewer) ReviewTermination(ctx context.Context, chat *conversation.Chat) (conversation.Message, error) {
	if r.answer == "" {
		return conversation.Message{}, conversation.ErrNoReply
	}
	return conversation.Message{Content: r.answer, Origin: conversation.OriginHuman}, nil
}

func TestTerminationReviewerMayContinue(t *testing.T) {
	b := &scripted{name: "b", lines: []string{"TERMINATE", "TERMINATE"}}
	a := reviewer{Participant: echo("a"), answer: "one more thing"}
	res, err := conversation.Initiate(context.Background(), a, b, "hi", conversation.WithMaxTurns(2))
	require.NoError(t, err)
	assert.Equal(t, []string{"a: hi", "b: TERMINATE", "a: one more thing", "b: TERMINATE"}, contents(res.History))
	assert.Equal(t, conversation.ReasonMaxTurns, res.Reason)

	b = &scripted{name: "b", lines: []string{"TERMINATE"}}
	res, err = conversation.Initiate(context.Background(), reviewer{Participant: echo("a")}, b, "hi")
	require.NoError(t, err)
	assert.Equal(t, conversation.ReasonTermination, res.Reason)
}

func TestUsageAndTranscript(t *testing.T) {
	var buf bytes.Buffer
	var seen []string
	b := &scripted{name: "b", lines: []string{"one", "two"}}
	res, err := conversation.Initiate(context.Background(), echo("a"), b, "hi",
		conversation.WithMaxTurns(2), conversation.WithTranscript(&buf),
		conversation.WithObserver(func(m conversation.Message) { seen = append(seen, m.Content) }))
	require.NoError(t, err)
	assert.Equal(t, 6, res.Usage.TotalTokens)
	assert.Equal(t, 6, res.UsageByAgent["b"].TotalTokens)
	assert.Equal(t, []string{"hi", "one", "a #2", "two"}, seen)

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 4)
	back, err := conversation.ReadTranscript(&buf)
	require.NoError(t, err)
	assert.Equal(t, contents(res.History), contents(back))
	assert.Equal(t, conversation.OriginInitial, back[0].Origin)
}

func TestReadTranscriptTruncated(t *testing.T) {
	var buf bytes.Buffer
	w := conversation.NewTranscriptWriter(&buf)
	for _, c := range []string{"one", "two", "three"} {
		require.NoError(t, w.Write(conversation.Message{Name: "a", Content: c}))
	}
	full := buf.Bytes()
	cut := full[:len(full)-9] // crash in the middle of the last line
	msgs, err := conversation.ReadTranscript(bytes.NewReader(cut))
	require.ErrorIs(t, err, conversation.ErrTruncatedTranscript)
	assert.Equal(t, []string{"a: one", "a: two"}, contents(msgs))

	bad := append([]byte("{nope}\n"), full...)
	_, err = conversation.ReadTranscript(bytes.NewReader(bad))
	require.ErrorContains(t, err, "line 1")
}

func TestResumeFromHistory(t *testing.T) {
	history := []conversation.Message{{Name: "a", Content: "hi"}, {Name: "b", Content: "b says"}}
	res, err := conversation.InitiateMessage(context.Background(), echo("a"), echo("b"), conversation.Message{},
		conversation.WithHistory(history), conversation.WithMaxTurns(2))
	require.NoError(t, err)
	assert.Equal(t, []string{"a: hi", "b: b says", "a: a #2", "b: b #3"}, contents(res.History))
}

type closer struct{ n *atomic.Int32 }

func (c closer) Close() error { c.n.Add(1); return nil }

func TestChatResourcesClosedAtEnd(t *testing.T) {
	var opened, closed atomic.Int32
	user := conversation.ParticipantFunc{ParticipantName: "b", Func: func(_ context.Context, chat *conversation.Chat) (conversation.Message, error) {
		_, err := chat.Resource("exec", func() (io.Closer, error) { opened.Add(1); return closer{&closed}, nil })
		require.NoError(t, err)
		return conversation.Message{Content: "ok"}, nil
	}}
	_, err := conversation.Initiate(context.Background(), echo("a"), user, "hi", conversation.WithMaxTurns(3))
	require.NoError(t, err)
	assert.Equal(t, int32(1), opened.Load(), "opened once per chat")
	assert.Equal(t, int32(1), closed.Load(), "closed when the chat ended")
}

func TestOneParticipantManyChats(t *testing.T) {
	shared := echo("b")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := conversation.Initiate(context.Background(), echo("a"), shared, fmt.Sprint("chat ", i), conversation.WithMaxTurns(3))
			assert.NoError(t, err)
			assert.Len(t, res.History, 6)
			assert.Equal(t, fmt.Sprint("chat ", i), res.History[0].Content)
		}()
	}
	wg.Wait()
}

func TestSlowObserverDoesNotLoseMessages(t *testing.T) {
	var n atomic.Int32
	_, err := conversation.Initiate(context.Background(), echo("a"), echo("b"), "hi", conversation.WithMaxTurns(3),
		conversation.WithObserver(func(conversation.Message) { time.Sleep(time.Millisecond); n.Add(1) }))
	require.NoError(t, err)
	assert.Equal(t, int32(6), n.Load())
}
