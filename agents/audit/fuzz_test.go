package audit_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/agents/audit"
)

// validLog returns a log of a few entries written by Log.
func validLog(t testing.TB) []byte {
	var buf bytes.Buffer
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	l := audit.New(&buf, audit.WithClock(func() time.Time { return clock }))
	l.Record(context.Background(), record())
	require.NoError(t, l.Err())
	return buf.Bytes()
}

// FuzzCheck feeds the verifier arbitrary logs (it must never panic) and
// checks the property the log exists for: changing any single byte of a
// valid log is detected.
func FuzzCheck(f *testing.F) {
	log := validLog(f)
	f.Add(log, uint(0), byte('x'))
	f.Add(log, uint(len(log)/2), byte('0'))
	f.Add(log, uint(len(log)-1), byte(' '))
	f.Add([]byte("{}\n"), uint(0), byte('{'))
	f.Add([]byte(`{"seq":1,"hash":"`+string(bytes.Repeat([]byte("0"), 64))+`"}`+"\n"), uint(3), byte('2'))
	f.Fuzz(func(t *testing.T, data []byte, at uint, b byte) {
		_, _ = audit.Check(bytes.NewReader(data)) // no panic on anything

		tampered := bytes.Clone(log)
		i := int(at % uint(len(tampered)))
		if tampered[i] == b {
			return
		}
		tampered[i] = b
		require.Error(t, audit.Verify(bytes.NewReader(tampered)), "byte %d changed from %q to %q went unnoticed", i, log[i], b)
	})
}
