package conversation_test

import (
	"context"
	"testing"

	"github.com/parley-go/parley/conversation"
)

// BenchmarkGroupRound measures the group engine's cost per message (round
// robin over three members that do no work); compare with BenchmarkTurn.
func BenchmarkGroupRound(b *testing.B) {
	members := []conversation.Participant{idle("a"), idle("b"), idle("c")}
	g := conversation.GroupChat{Members: members, MaxRounds: b.N + 1}
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := g.Run(context.Background(), members[0], "go", conversation.WithTermination(nil)); err != nil {
		b.Fatal(err)
	}
}
