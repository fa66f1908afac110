package audit_test

import (
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/parley-go/parley/agents/audit"
)

// BenchmarkRecord writes the five entries of one execution record with the
// hash chain.
func BenchmarkRecord(b *testing.B) {
	log := audit.New(io.Discard)
	rec := record()
	b.ReportAllocs()
	for b.Loop() {
		log.Record(context.Background(), rec)
	}
}

// BenchmarkRecordBaselinePlainJSON marshals five comparable entries with no
// chain: the cost of JSON Lines alone.
func BenchmarkRecordBaselinePlainJSON(b *testing.B) {
	e := audit.Entry{Kind: "review", Chat: "c1", Agent: "code_executor", Code: "print(1)", Decision: "run", By: "human"}
	b.ReportAllocs()
	for b.Loop() {
		for range 5 {
			data, _ := json.Marshal(e)
			_, _ = io.Discard.Write(append(data, '\n'))
		}
	}
}
