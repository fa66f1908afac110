package openaitest_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/agents/openaitest"
)

// FuzzReadReplay checks that any replay file gives responses or an error,
// never a panic, and that what it accepts writes back to a file that reads
// the same.
func FuzzReadReplay(f *testing.F) {
	for _, s := range []string{
		`[{"content": "hi", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}]`,
		`{"responses": [{"status": 429, "retry_after": "1.5s"}, {"tool_calls": [{"id": "c1", "name": "f", "arguments": "{}"}]}]}`,
		`[{"delay": 250, "chunk_delay": "3ms", "drop_after_chunks": 2}]`,
		`[{"delay_ms": 1}]`,
		`[]`,
		`{`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := openaitest.ReadReplay(strings.NewReader(s))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		require.NoError(t, openaitest.WriteReplay(&buf, rs))
		back, err := openaitest.ReadReplay(&buf)
		require.NoError(t, err, "a replay written back must read again:\n%s", buf.String())
		require.Equal(t, len(rs), len(back))
	})
}
