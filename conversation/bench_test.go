package conversation_test

import (
	"context"
	"testing"

	"github.com/parley-go/parley/conversation"
)

// idle is a participant that does no work: it answers "ok".
func idle(name string) conversation.Participant {
	return conversation.ParticipantFunc{ParticipantName: name, Func: func(context.Context, *conversation.Chat) (conversation.Message, error) {
		return conversation.Message{Content: "ok"}, nil
	}}
}

// BenchmarkTurn measures the engine's own cost per message with
// participants that do no work: b.N messages in one long chat.
func BenchmarkTurn(b *testing.B) {
	b.ReportAllocs()
	b.ResetTimer()
	res, err := conversation.Initiate(context.Background(), idle("a"), idle("b"), "go", conversation.WithMaxTurns((b.N+1)/2), conversation.WithTermination(nil))
	if err != nil {
		b.Fatal(err)
	}
	if len(res.History) < b.N {
		b.Fatalf("history %d < %d", len(res.History), b.N)
	}
}

// BenchmarkChat measures a whole short chat (4 turns, 8 messages) per
// iteration, including setup and the result.
func BenchmarkChat(b *testing.B) {
	a, c := idle("a"), idle("b")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conversation.Initiate(context.Background(), a, c, "go", conversation.WithMaxTurns(4)); err != nil {
			b.Fatal(err)
		}
	}
}
