package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/audit"
	"github.com/parley-go/parley/executors"
)

func record() agents.ExecutionRecord {
	orig := executors.CodeBlock{Language: "python", Code: "print(1)"}
	edited := executors.CodeBlock{Language: "python", Code: "print(2)"}
	second := executors.CodeBlock{Language: "sh", Code: "rm -rf /"}
	third := executors.CodeBlock{Language: "sh", Code: "echo later"}
	return agents.ExecutionRecord{
		ChatID: "c1", Agent: "code_executor", Executor: "commandline-local (timeout 1m0s)",
		Blocks: []agents.BlockRecord{
			{Original: orig, Ran: &edited, Decision: agents.Decision{Action: agents.ActionRun, Code: "print(2)", By: "human", Advice: []string{"static: no findings"}}},
			{Original: second, Decision: agents.Decision{Action: agents.ActionSkip, Reason: "too dangerous", By: "policy:static"}},
			{Original: third, Ran: &third, Decision: agents.Decision{Action: agents.ActionRun, By: "human"}},
		},
		Result: &executors.Result{Blocks: []executors.BlockResult{
			{Block: edited, ExitCode: 3, Output: "2\n", OutputBytes: 2, Duration: 1500 * time.Microsecond},
		}, NotRun: []executors.CodeBlock{third}},
	}
}

func entries(t *testing.T, data []byte) []audit.Entry {
	t.Helper()
	var out []audit.Entry
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var e audit.Entry
		require.NoError(t, json.Unmarshal(line, &e))
		out = append(out, e)
	}
	return out
}

func TestRecordWritesReviewsAndExecutions(t *testing.T) {
	var buf bytes.Buffer
	log := audit.New(&buf, audit.WithLimits(executors.Limits{Timeout: time.Minute}))
	log.Record(context.Background(), record())
	require.NoError(t, log.Err())

	es := entries(t, buf.Bytes())
	require.Len(t, es, 5)
	kinds := []string{}
	for i, e := range es {
		kinds = append(kinds, e.Kind)
		assert.Equal(t, int64(i+1), e.Seq)
		assert.Equal(t, "c1", e.Chat)
		assert.Equal(t, "code_executor", e.Agent)
		require.NotNil(t, e.Limits)
		assert.Equal(t, time.Minute, e.Limits.Timeout)
		if i > 0 {
			assert.Equal(t, es[i-1].Hash, e.Prev)
		}
	}
	assert.Equal(t, []string{"review", "review", "review", "execution", "not_run"}, kinds)

	r1 := es[0]
	assert.Equal(t, "run", r1.Decision)
	assert.Equal(t, "human", r1.By)
	assert.True(t, r1.Edited)
	assert.Equal(t, "print(1)", r1.Code)
	assert.Equal(t, "print(2)", r1.EditedCode)
	assert.Equal(t, audit.Digest("print(1)"), r1.BlockHash)
	assert.Equal(t, audit.Digest("print(2)"), r1.RanHash)
	assert.Equal(t, []string{"static: no findings"}, r1.Advice)

	assert.Equal(t, "skip", es[1].Decision)
	assert.Equal(t, "policy:static", es[1].By)
	assert.Equal(t, "too dangerous", es[1].Reason)

	x := es[3]
	require.NotNil(t, x.ExitCode)
	assert.Equal(t, 3, *x.ExitCode)
	assert.Equal(t, 1, x.Block)
	assert.Equal(t, audit.Digest("print(2)"), x.RanHash)
	assert.Equal(t, audit.Digest("2\n"), x.OutputDigest)
	assert.Equal(t, int64(2), x.OutputBytes)
	assert.InDelta(t, 1.5, x.DurationMS, 0.001)
	assert.Equal(t, 3, es[4].Block)
	assert.Contains(t, es[4].Error, "earlier block failed")

	require.NoError(t, audit.Verify(bytes.NewReader(buf.Bytes())))
}

func TestRecordWithoutResult(t *testing.T) {
	rec := record()
	rec.Result = nil
	var buf bytes.Buffer
	audit.New(&buf).Record(context.Background(), rec)
	es := entries(t, buf.Bytes())
	require.Len(t, es, 5)
	assert.Equal(t, "not_run", es[3].Kind)
	assert.Contains(t, es[3].Error, "executor failed")
}

func chain(t *testing.T) []string {
	t.Helper()
	var buf bytes.Buffer
	log := audit.New(&buf)
	log.Record(context.Background(), record())
	log.Record(context.Background(), record())
	lines := strings.SplitAfter(buf.String(), "\n")
	return lines[:len(lines)-1]
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]string) []string
		line   int
		msg    string
	}{
		{"intact", func(l []string) []string { return l }, 0, ""},
		{"altered decision", func(l []string) []string {
			l[1] = strings.Replace(l[1], `"decision":"skip"`, `"decision":"run"`, 1)
			return l
		}, 2, "altered"},
		{"altered code, hash recomputed is still caught by the next entry", func(l []string) []string {
			l[0] = rehash(t, strings.Replace(l[0], `print(2)`, `print(9)`, 1))
			return l
		}, 2, "prev does not match"},
		{"removed entry", func(l []string) []string { return append(l[:3:3], l[4:]...) }, 4, "missing"},
		{"removed first entry", func(l []string) []string { return l[1:] }, 1, "missing"},
		{"swapped entries", func(l []string) []string { l[2], l[3] = l[3], l[2]; return l }, 3, "out of order"},
		{"duplicated entry", func(l []string) []string { return append(l[:5:5], l[4:]...) }, 6, "duplicated"},
		{"extra field", func(l []string) []string {
			l[6] = strings.Replace(l[6], `{"seq"`, `{"note":"x","seq"`, 1)
			return l
		}, 7, "altered"},
		{"hash removed", func(l []string) []string {
			l[2] = l[2][:strings.LastIndex(l[2], `,"hash"`)] + "}\n"
			return l
		}, 3, "no hash"},
		{"garbage line", func(l []string) []string { l[4] = "hello\n"; return l }, 5, "not a JSON entry"},
		{"cut mid-line", func(l []string) []string {
			last := len(l) - 1
			l[last] = l[last][:20]
			return l
		}, 10, "incomplete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := tt.tamper(chain(t))
			err := audit.Verify(strings.NewReader(strings.Join(lines, "")))
			if tt.line == 0 {
				require.NoError(t, err)
				return
			}
			var ce *audit.ChainError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.line, ce.Line, err.Error())
			assert.Contains(t, ce.Error(), tt.msg)
		})
	}
}

// rehash recomputes an entry's own hash the way a forger would.
func rehash(t *testing.T, line string) string {
	t.Helper()
	var e audit.Entry
	require.NoError(t, json.Unmarshal([]byte(line), &e))
	var buf bytes.Buffer
	g := audit.New(&buf)
	// Re-seal through a fresh chain positioned like the original entry.
	require.Equal(t, int64(1), e.Seq, "rehash is only used on the first entry")
	require.NoError(t, g.Write(e))
	return buf.String()
}

func TestOpenContinuesTheChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	log, err := audit.Open(path)
	require.NoError(t, err)
	log.Record(context.Background(), record())
	require.NoError(t, log.Close())

	log, err = audit.Open(path)
	require.NoError(t, err)
	log.Record(context.Background(), record())
	require.NoError(t, log.Close())

	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sum, err := audit.Check(f)
	require.NoError(t, err)
	assert.Equal(t, int64(10), sum.Entries)
	assert.Len(t, sum.Head, 64)

	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestOpenRefusesABrokenLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	lines := chain(t)
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(append(lines[:2:2], lines[3:]...), "")), 0o600))
	_, err := audit.Open(path)
	var ce *audit.ChainError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "refusing to append")
}

func TestConcurrentWritesKeepTheChain(t *testing.T) {
	var buf bytes.Buffer
	log := audit.New(&buf)
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 10 {
				log.Record(context.Background(), record())
			}
		}()
	}
	for range 8 {
		<-done
	}
	sum, err := audit.Check(&buf)
	require.NoError(t, err)
	assert.Equal(t, int64(8*10*5), sum.Entries)
}
