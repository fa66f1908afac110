package policy_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/policy"
	"github.com/parley-go/parley/executors"
)

var benchBlock = executors.CodeBlock{Language: "python", Code: strings.Repeat("x = [i * i for i in range(100)]\nprint(sum(x))\n", 25)}

// BenchmarkCheck runs every default rule over a 50-line block.
func BenchmarkCheck(b *testing.B) {
	rules := policy.DefaultRules()
	for b.Loop() {
		policy.Check(benchBlock, rules)
	}
}

// BenchmarkCheckBaselineSplit only splits the block into lines: the floor
// under any per-line checker.
func BenchmarkCheckBaselineSplit(b *testing.B) {
	for b.Loop() {
		_ = strings.Split(benchBlock.Code, "\n")
	}
}

// BenchmarkStaticReview reviews the block with the default rules, as a
// Static without Rules does for every block.
func BenchmarkStaticReview(b *testing.B) {
	ctx := context.Background()
	r := agents.Review{Block: benchBlock}
	for b.Loop() {
		if _, err := (policy.Static{}).Review(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
