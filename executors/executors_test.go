package executors_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-go/parley/executors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCappedOutputKeepsHeadAndTail(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		writes    []string
		want      string
		truncated bool
	}{
		{name: "under the limit", limit: 16, writes: []string{"hello ", "world"}, want: "hello world"},
		{name: "exactly the limit", limit: 8, writes: []string{"12345678"}, want: "12345678"},
		{name: "one big write", limit: 8, writes: []string{"abcdefghijklmnopqrstuvwxyz"}, truncated: true,
			want: "abcdef\n[... output truncated: 18 bytes omitted ...]\nyz"},
		{name: "many small writes", limit: 8, writes: strings.Split("abcdefghijklmnopqrstuvwxyz", ""), truncated: true,
			want: "abcdef\n[... output truncated: 18 bytes omitted ...]\nyz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := executors.NewCappedOutput(tt.limit)
			var total int
			for _, w := range tt.writes {
				n, err := c.Write([]byte(w))
				require.NoError(t, err)
				require.Equal(t, len(w), n, "a capped writer still reports every byte as written")
				total += n
			}
			assert.Equal(t, tt.want, c.String())
			assert.Equal(t, tt.truncated, c.Truncated())
			assert.Equal(t, int64(total), c.Total())
		})
	}
}

func TestCappedOutputNeverSplitsRunes(t *testing.T) {
	c := executors.NewCappedOutput(10)
	_, _ = c.Write([]byte(strings.Repeat("é", 50)))
	out := c.String()
	for _, part := range strings.Split(out, "\n") {
		assert.True(t, strings.ToValidUTF8(part, "?") == part, "invalid UTF-8 in %q", part)
	}
}

func TestCappedOutputFloodKeepsMemoryBounded(t *testing.T) {
	c := executors.NewCappedOutput(64 << 10)
	chunk := []byte(strings.Repeat("x", 32<<10))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range (100 << 20) / len(chunk) { // 100 MB
		_, _ = c.Write(chunk)
	}
	runtime.ReadMemStats(&after)
	assert.Equal(t, int64(100<<20), c.Total())
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "writing 100 MB allocated more than 1 MiB")
	assert.Contains(t, c.String(), "bytes omitted")
}

func TestCappedOutputConcurrentWriters(t *testing.T) {
	c := executors.NewCappedOutput(1 << 20)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				_, _ = fmt.Fprintf(c, "%d\n", i)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int64(800*2), c.Total())
	assert.Len(t, strings.Fields(c.String()), 800)
}

func TestSafeJoin(t *testing.T) {
	dir := t.TempDir()
	ok := map[string]string{
		"a.py":          filepath.Join(dir, "a.py"),
		"sub/dir/b.sh":  filepath.Join(dir, "sub", "dir", "b.sh"),
		"./c.py":        filepath.Join(dir, "c.py"),
		"x/../y.py":     filepath.Join(dir, "y.py"),
		"name with.txt": filepath.Join(dir, "name with.txt"),
	}
	for name, want := range ok {
		got, err := executors.SafeJoin(dir, name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got)
	}
	for _, name := range []string{"", "/etc/passwd", "../x.py", "a/../../x.py", "..", ".", "a\x00b", "a\nb"} {
		_, err := executors.SafeJoin(dir, name)
		var unsafe *executors.UnsafeFilenameError
		assert.ErrorAs(t, err, &unsafe, "%q must be refused", name)
	}
}

func TestResolveInsideCatchesSymlinks(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link")))
	p, err := executors.SafeJoin(dir, "link/x.py")
	require.NoError(t, err, "SafeJoin works on names only")
	var unsafe *executors.UnsafeFilenameError
	require.ErrorAs(t, executors.ResolveInside(dir, p), &unsafe)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "real"), 0o755))
	p, _ = executors.SafeJoin(dir, "real/x.py")
	require.NoError(t, executors.ResolveInside(dir, p))
}

func TestFormatReply(t *testing.T) {
	block := executors.CodeBlock{Language: "python", Code: "print(1)"}
	tests := []struct {
		name string
		res  executors.Result
		want string
	}{
		{name: "success", res: executors.Result{Blocks: []executors.BlockResult{{Block: block, Output: "377\n"}}},
			want: "exitcode: 0 (execution succeeded)\nCode output: 377\n"},
		{name: "failure stops later blocks", res: executors.Result{
			Blocks: []executors.BlockResult{{Block: block, Output: "ok"}, {Block: block, ExitCode: 2, Output: "boom\n"}},
			NotRun: []executors.CodeBlock{block}},
			want: "exitcode: 2 (execution failed)\nCode output: ok\nboom\n\n[1 later block(s) not run because block 2 failed]"},
		{name: "timeout", res: executors.Result{Blocks: []executors.BlockResult{{Block: block, ExitCode: executors.TimeoutExitCode, TimedOut: true, Output: "tick\n", Duration: 2 * time.Second}}},
			want: "exitcode: 124 (execution failed)\nCode output: tick\n\nTimeout: block 1 was stopped after 2s"},
		{name: "files", res: executors.Result{Blocks: []executors.BlockResult{{Block: block, Files: []executors.OutputFile{{Path: "/w/plot.png", MIMEType: "image/png"}}}}},
			want: "exitcode: 0 (execution succeeded)\nCode output: \nOutput file (image/png): /w/plot.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, executors.FormatReply(tt.res))
		})
	}
}

func TestLimits(t *testing.T) {
	l := executors.Limits{Timeout: time.Second}.WithDefaults()
	assert.Equal(t, time.Second, l.Timeout)
	assert.Equal(t, executors.DefaultOutputBytes, l.OutputBytes)
	assert.Equal(t, "timeout 1s, output 64 KiB, memory 512 MiB, cpu 2m0s, processes 256", l.String())
	assert.Equal(t, "timeout 1s, output unlimited, memory 512 MiB, cpu 2m0s, processes 256",
		executors.Limits{Timeout: time.Second, OutputBytes: -1}.WithDefaults().String())
}

func ExampleFormatReply() {
	res := executors.Result{Blocks: []executors.BlockResult{{ExitCode: 0, Output: "377\n"}}}
	fmt.Print(executors.FormatReply(res))
	// Output:
	// exitcode: 0 (execution succeeded)
	// Code output: 377
}

func TestLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"python": "python", " Python3 ": "python", "py": "python",
		"shell": "sh", "BASH": "bash", "node": "javascript",
		"cobol": "cobol", " COBOL ": "cobol", "": "",
	} {
		assert.Equal(t, want, executors.Language(in), "%q", in)
	}
}
