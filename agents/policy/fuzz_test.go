package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/agents/policy"
)

// FuzzParseVerdict feeds the verdict parser what a model might say. It must
// never panic, and it may only accept answers that state a verdict: an
// accepted answer has a JSON "safe" field and a known risk.
func FuzzParseVerdict(f *testing.F) {
	for _, s := range []string{
		`{"safe": true, "risk": "low", "reasons": []}`,
		"```json\n{\"safe\": false, \"risk\": \"HIGH\", \"reasons\": [\"rm -rf\"]}\n```",
		`Sure! {"safe": true, "risk": "medium"} hope that helps {`,
		`{"risk": "low"}`,
		`{"safe": "yes", "risk": "low"}`,
		`}{`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := policy.ParseVerdict(s)
		if err != nil {
			return
		}
		// JSON keys match case-insensitively and may be \u-escaped.
		require.True(t, strings.Contains(strings.ToLower(s), "safe") || strings.Contains(s, `\u`),
			"accepted a verdict without a safe field: %q", s)
		require.Contains(t, []string{"low", "medium", "high"}, v.Risk)
		if v.Safe {
			require.True(t, strings.Contains(s, "true"), "safe without a true in the answer")
		}
	})
}
