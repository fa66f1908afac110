package agents_test

import (
	"context"
	"testing"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
)

// chatLen is the number of messages of each benchmarked chat: a typical
// code-writing chat, not an endless one.
const chatLen = 20

// benchChat runs b.N chats of chatLen messages between a and c and reports
// the cost per message (one agent's turn) besides the cost per chat.
func benchChat(b *testing.B, a, c conversation.Participant) {
	b.ReportAllocs()
	for b.Loop() {
		res, err := conversation.Initiate(context.Background(), a, c, "go",
			conversation.WithMaxTurns(chatLen/2), conversation.WithTermination(nil))
		if err != nil {
			b.Fatal(err)
		}
		if len(res.History) != chatLen {
			b.Fatalf("history %d != %d", len(res.History), chatLen)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*chatLen), "ns/turn")
}

// BenchmarkTurnReplyFuncAgents measures turns of ConversableAgents whose
// reply comes from a Go reply function at the end of the chain, so every
// built-in step (human, tool calls, code execution, LLM) is consulted first.
func BenchmarkTurnReplyFuncAgents(b *testing.B) {
	mk := func(name string) *agents.ConversableAgent {
		a, err := agents.New(name, agents.WithDefaultReply("ok"), agents.WithMaxConsecutiveAutoReply(1<<30))
		if err != nil {
			b.Fatal(err)
		}
		return a
	}
	benchChat(b, mk("a"), mk("b"))
}

// BenchmarkTurnBareParticipants is the baseline: the same engine with
// participants that are plain functions.
func BenchmarkTurnBareParticipants(b *testing.B) {
	p := func(name string) conversation.Participant {
		return conversation.ParticipantFunc{ParticipantName: name, Func: func(context.Context, *conversation.Chat) (conversation.Message, error) {
			return conversation.Message{Content: "ok"}, nil
		}}
	}
	benchChat(b, p("a"), p("b"))
}
