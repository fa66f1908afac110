package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/audit"
	"github.com/parley-go/parley/executors"
)

func Example() {
	var buf bytes.Buffer
	log := audit.New(&buf, audit.WithClock(func() time.Time { return time.Unix(0, 0) }))
	// In a program: agents.CodeExecution{..., OnRecord: log.Record}.
	b := executors.CodeBlock{Language: "sh", Code: "echo hi"}
	log.Record(context.Background(), agents.ExecutionRecord{
		ChatID: "chat-1", Agent: "code_executor",
		Blocks: []agents.BlockRecord{{Original: b, Ran: &b, Decision: agents.Decision{Action: agents.ActionRun, By: "human"}}},
		Result: &executors.Result{Blocks: []executors.BlockResult{{Block: b, Output: "hi\n", OutputBytes: 3}}},
	})
	fmt.Println("intact:", audit.Verify(bytes.NewReader(buf.Bytes())))

	forged := strings.Replace(buf.String(), `"by":"human"`, `"by":"auto"`, 1)
	fmt.Println("forged:", audit.Verify(strings.NewReader(forged)))
	// Output:
	// intact: <nil>
	// forged: audit: line 1 (entry 1): the entry was altered: its content does not match its hash
}
