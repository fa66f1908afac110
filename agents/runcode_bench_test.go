package agents_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
)

// BenchmarkRunCodeBatch measures one reply of 8 run_code calls whose
// executions each take 2ms, run one at a time (MaxParallel=1, the baseline)
// and on a pool of 4.
func BenchmarkRunCodeBatch(b *testing.B) {
	var calls []conversation.ToolCall
	for i := range 8 {
		c := runCodeCall(fmt.Sprint(i), "sh", fmt.Sprintf("echo %d", i), "")
		calls = append(calls, conversation.ToolCall{ID: c.ID, Name: c.Name, Arguments: c.Arguments})
	}
	for _, par := range []int{1, 4} {
		b.Run(fmt.Sprintf("MaxParallel=%d", par), func(b *testing.B) {
			ex := &parallelExecutor{hold: 2 * time.Millisecond}
			a, err := agents.New("executor", agents.WithCodeExecution(agents.CodeExecution{Executor: ex, Approver: agents.AutoApprove(), MaxParallel: par}))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				chat := conversation.NewChat("", "writer", "executor")
				_ = chat.Append(conversation.Message{Name: "writer", ToolCalls: calls})
				if _, err := a.Reply(context.Background(), chat); err != nil {
					b.Fatal(err)
				}
				_ = chat.Close()
			}
		})
	}
}

// BenchmarkEmit measures a reply-function agent's turn with and without an
// event subscriber.
func BenchmarkEmit(b *testing.B) {
	a, err := agents.New("a", agents.WithDefaultReply("ok"))
	if err != nil {
		b.Fatal(err)
	}
	for _, sub := range []bool{false, true} {
		b.Run(fmt.Sprintf("subscribed=%v", sub), func(b *testing.B) {
			ctx := context.Background()
			if sub {
				ctx = agents.ContextWithEvents(ctx, func(agents.Event) {})
			}
			chat := conversation.NewChat("", "b", "a")
			_ = chat.Append(conversation.Message{Name: "b", Content: "hi"})
			for b.Loop() {
				if _, err := a.Reply(ctx, chat); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
