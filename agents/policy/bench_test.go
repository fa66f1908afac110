package policy_test

import (
	"strings"
	"testing"

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
