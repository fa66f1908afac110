package policy_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/policy"
	"github.com/parley-go/parley/executors"
)

// A static policy in front of an unattended run: dangerous blocks are
// refused, everything else is approved by the explicit auto-approval.
func ExampleStatic() {
	approver := agents.Chain(policy.Static{DenyAt: policy.SeverityMedium}, agents.AutoApprove())
	for _, code := range []string{"print(6*7)", "import shutil\nshutil.rmtree('/home')"} {
		d, _ := approver.Review(context.Background(), agents.Review{Block: executors.CodeBlock{Language: "python", Code: code}})
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%s by %s: %s", d.Action, d.By, d.Reason)))
	}
	// Output:
	// run by auto:
	// skip by policy:static: the static policy refused it: deletes files (line 2)
}

func ExampleParseVerdict() {
	v, err := policy.ParseVerdict("```json\n{\"safe\": false, \"risk\": \"high\", \"reasons\": [\"deletes the home directory\"]}\n```")
	fmt.Println(v, err)
	// Output: llm: unsafe, risk high: deletes the home directory <nil>
}
