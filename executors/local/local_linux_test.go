//go:build linux

package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/executors"
)

// markVar is set (through Config.Env) in every block a test runs, so the
// test can find leftover processes in /proc on its own.
const markVar = "PARLEY_TEST_MARK"

type testExec struct {
	*Executor
	mark string
}

func newTestExec(t *testing.T, cfg Config) testExec {
	t.Helper()
	mark := randomHex(8)
	if cfg.Env == nil {
		cfg.Env = map[string]string{}
	}
	cfg.Env[markVar] = mark
	if cfg.WorkDir == "" {
		cfg.WorkDir = t.TempDir()
	}
	e, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, e.Close())
		assert.Empty(t, procsWithMark(mark), "processes of the test survived Close")
	})
	return testExec{Executor: e, mark: mark}
}

// withoutCgroup makes the executor rely on the process group and the
// /proc sweep alone, as it must on machines where cgroups are not ours.
func withoutCgroup(t *testing.T, e testExec) {
	t.Helper()
	require.NoError(t, e.sandbox.close())
	e.sandbox.cgroupDir = ""
}

func requireLanguage(t *testing.T, e testExec, lang string) {
	t.Helper()
	if slices.Contains(e.Languages(), lang) {
		return
	}
	if os.Getenv("CI") == "true" {
		require.Failf(t, "interpreter missing", "no interpreter for %s on PATH", lang)
	}
	t.Skipf("no interpreter for %s on PATH: install it to run this test", lang)
}

func run(t *testing.T, e testExec, blocks ...executors.CodeBlock) executors.Result {
	t.Helper()
	res, err := e.Execute(context.Background(), blocks)
	require.NoError(t, err)
	return res
}

// procsWithMark lists live processes whose environment carries mark.
func procsWithMark(mark string) []int {
	needle := []byte(markVar + "=" + mark + "\x00")
	var found []int
	for _, p := range listPids() {
		if environHas(p, needle) && !processGone(p) {
			found = append(found, p)
		}
	}
	return found
}

// processGone reports whether pid no longer runs (absent, zombie or dead).
func processGone(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return true
	}
	state := data[i+2]
	return state == 'Z' || state == 'X'
}

func requireGone(t *testing.T, pids ...int) {
	t.Helper()
	for _, pid := range pids {
		// Only the last instants of the kernel's exit path can be left once
		// Execute returns, so this polls briefly; it is no timing assertion.
		require.Eventuallyf(t, func() bool { return processGone(pid) }, 5*time.Second, 5*time.Millisecond,
			"process %d is still running", pid)
	}
}

// requireNothingLeft runs a block that succeeds and prints the pids of the
// processes it leaves behind, and requires them, and every other process of
// the test, gone once Execute returns.
func requireNothingLeft(t *testing.T, e testExec, lang, code string) {
	t.Helper()
	res := run(t, e, executors.CodeBlock{Language: lang, Code: code})
	require.True(t, res.Succeeded(), res.Blocks[0].Output)
	requireGone(t, readPids(t, res.Blocks[0].Output)...)
	assert.Empty(t, procsWithMark(e.mark))
}

func readPids(t *testing.T, s string) []int {
	t.Helper()
	var pids []int
	for _, f := range strings.Fields(s) {
		p, err := strconv.Atoi(f)
		require.NoError(t, err, "output %q", s)
		pids = append(pids, p)
	}
	require.NotEmpty(t, pids)
	return pids
}

func TestExecuteRunsPythonAndShell(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	requireLanguage(t, e, "python")
	tests := []struct {
		name     string
		block    executors.CodeBlock
		exit     int
		output   string
		codeFile string
	}{
		{"python", executors.CodeBlock{Language: "python", Code: "print(6 * 7)"}, 0, "42\n", ".py"},
		{"python exception", executors.CodeBlock{Language: "python", Code: "raise SystemExit(3)"}, 3, "", ".py"},
		{"sh", executors.CodeBlock{Language: "sh", Code: "echo \"$((6 * 7))\""}, 0, "42\n", ".sh"},
		{"sh exit code", executors.CodeBlock{Language: "sh", Code: "echo bye; exit 5"}, 5, "bye\n", ".sh"},
		{"bash", executors.CodeBlock{Language: "bash", Code: "a=(1 2 3); echo ${#a[@]}"}, 0, "3\n", ".bash"},
		{"language case", executors.CodeBlock{Language: " Python ", Code: "print('ok')"}, 0, "ok\n", ".py"},
		{"stdin", executors.CodeBlock{Language: "python", Code: "print(input()[::-1])", Stdin: "olleh\n"}, 0, "hello\n", ".py"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, e, tt.block)
			require.Len(t, res.Blocks, 1)
			b := res.Blocks[0]
			assert.Equal(t, tt.exit, b.ExitCode)
			assert.Equal(t, tt.output, b.Output)
			assert.Equal(t, tt.exit == 0, res.Succeeded())
			assert.Equal(t, e.WorkDir(), filepath.Dir(b.CodeFile))
			assert.True(t, strings.HasPrefix(filepath.Base(b.CodeFile), "tmp_code_"), b.CodeFile)
			assert.Equal(t, tt.codeFile, filepath.Ext(b.CodeFile))
			saved, err := os.ReadFile(b.CodeFile)
			require.NoError(t, err)
			assert.Equal(t, tt.block.Code, string(saved))
		})
	}
}

func TestExecuteOtherLanguages(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	for lang, code := range map[string]string{
		"javascript": "console.log(6 * 7)", // runs under RLIMIT_DATA, not RLIMIT_AS
		"perl":       "print 6 * 7, \"\\n\";",
		"ruby":       "puts 6 * 7",
		"zsh":        "echo $((6 * 7))",
	} {
		t.Run(lang, func(t *testing.T) {
			if !slices.Contains(e.Languages(), lang) {
				t.Skipf("no interpreter for %s on PATH", lang)
			}
			res := run(t, e, executors.CodeBlock{Language: lang, Code: code})
			assert.Equal(t, "42\n", res.Blocks[0].Output)
			assert.True(t, res.Succeeded())
		})
	}
}

func TestFilenameHint(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	requireLanguage(t, e, "python")
	res := run(t, e, executors.CodeBlock{Language: "python", Filename: "pkg/sub/hello.py", Code: "print(__file__)"})
	want := filepath.Join(e.WorkDir(), "pkg", "sub", "hello.py")
	require.True(t, res.Succeeded(), res.Blocks[0].Output)
	assert.Equal(t, want, res.Blocks[0].CodeFile)
	assert.Equal(t, want+"\n", res.Blocks[0].Output)
	saved, err := os.ReadFile(want)
	require.NoError(t, err)
	assert.Equal(t, "print(__file__)", string(saved))

	// A symlink inside the work dir that stays inside is fine.
	require.NoError(t, os.Symlink("pkg", filepath.Join(e.WorkDir(), "inner")))
	res = run(t, e, executors.CodeBlock{Language: "python", Filename: "inner/again.py", Code: "print('in')"})
	require.True(t, res.Succeeded(), res.Blocks[0].Output)
	assert.FileExists(t, filepath.Join(e.WorkDir(), "pkg", "again.py"))
}

func TestFilenameHintRefusesEscapes(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim.py")
	require.NoError(t, os.WriteFile(victim, []byte("original"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(e.WorkDir(), "link")))
	require.NoError(t, os.Symlink(victim, filepath.Join(e.WorkDir(), "planted.py")))

	for _, name := range []string{"../x.py", "/etc/x", "a/../../x.py", "link/x.py", "link/deeper/x.py", "planted.py"} {
		t.Run(name, func(t *testing.T) {
			next := executors.CodeBlock{Language: "sh", Code: "echo next"}
			res := run(t, e, executors.CodeBlock{Language: "python", Filename: name, Code: "print('escaped')"}, next)
			require.Len(t, res.Blocks, 1)
			b := res.Blocks[0]
			assert.Equal(t, 1, b.ExitCode)
			assert.Contains(t, b.Output, fmt.Sprintf("refusing filename %q", name))
			assert.Empty(t, b.CodeFile)
			assert.Equal(t, []executors.CodeBlock{next}, res.NotRun)
		})
	}
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "original", string(got))
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing may be created outside the work dir")
	_, err = os.Stat("/etc/x")
	assert.True(t, errors.Is(err, os.ErrNotExist))
}

func TestTimeoutKeepsOutputAndExecutorStillWorks(t *testing.T) {
	t.Parallel()
	for _, viaCtx := range []bool{false, true} {
		t.Run(fmt.Sprintf("ctx deadline %v", viaCtx), func(t *testing.T) {
			t.Parallel()
			cfg := Config{}
			ctx := context.Background()
			if viaCtx {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 4*time.Second)
				defer cancel()
			} else {
				cfg.Limits.Timeout = 4 * time.Second
			}
			e := newTestExec(t, cfg)
			requireLanguage(t, e, "python")
			res, err := e.Execute(ctx, []executors.CodeBlock{
				{Language: "python", Code: "import os\nprint('before the loop', os.getpid())\nwhile True:\n    pass"},
				{Language: "sh", Code: "echo never"},
			})
			require.NoError(t, err)
			require.Len(t, res.Blocks, 1)
			b := res.Blocks[0]
			assert.True(t, b.TimedOut)
			assert.Equal(t, executors.TimeoutExitCode, b.ExitCode)
			assert.Contains(t, b.Output, "before the loop")
			assert.Len(t, res.NotRun, 1)
			requireGone(t, readPids(t, strings.TrimPrefix(b.Output, "before the loop"))...)

			res = run(t, e, executors.CodeBlock{Language: "python", Code: "print('again')"})
			assert.Equal(t, "again\n", res.Blocks[0].Output)
		})
	}
}

func TestBlockEndsWhenMainProcessExits(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	requireLanguage(t, e, "python")
	tests := []struct{ name, lang, code string }{
		{"sh background child", "sh", "sleep 1000 &\necho $!"},
		{"background child holding stdout", "sh", "(sleep 1000; echo late) &\nsleep 1000 > /dev/null 2>&1 &\necho $!"},
		{"python subprocess", "python", "import subprocess\np = subprocess.Popen(['sleep', '1000'])\nprint(p.pid)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { requireNothingLeft(t, e, tt.lang, tt.code) })
	}
}

func TestEscapedDaemonsAreKilled(t *testing.T) {
	t.Parallel()
	daemons := []struct{ name, lang, code string }{
		{"setsid", "sh", "setsid sh -c 'sleep 1000 & echo $!' </dev/null\nsleep 0.1"},
		{"double fork", "sh", "( ( exec sleep 1001 ) & echo $! )\nsleep 0.1"},
		{"python daemon", "python", `import os, sys, time
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.write(w, str(os.getpid()).encode())
        os.close(w)
        time.sleep(1000)
    os._exit(0)
os.close(w)
print(os.read(r, 32).decode())
`},
	}
	for _, mode := range []string{"with cgroup", "sweep only"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			e := newTestExec(t, Config{})
			requireLanguage(t, e, "python")
			if mode == "sweep only" {
				withoutCgroup(t, e)
			} else if e.sandbox.cgroupDir == "" {
				t.Skip("no writable cgroup v1 pids hierarchy (needs root on cgroup v1)")
			}
			for _, d := range daemons {
				t.Run(d.name, func(t *testing.T) { requireNothingLeft(t, e, d.lang, d.code) })
			}
			if mode == "with cgroup" {
				// A daemon that also wipes its environment escapes the sweep;
				// the cgroup still holds it.
				requireNothingLeft(t, e, "sh", "setsid env -i /bin/sh -c 'sleep 1002 & echo $!' </dev/null\nsleep 0.1")
			}
		})
	}
}

func TestForkBombIsContained(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{Limits: executors.Limits{Timeout: 3 * time.Second, Processes: 32}})
	if os.Geteuid() == 0 && e.sandbox.cgroupDir == "" {
		// As root only a pids cgroup bounds it; an unbounded fork bomb would
		// take the whole machine down until the timeout.
		t.Skip("root without a writable cgroup v1 pids hierarchy: RLIMIT_NPROC does not bind root")
	}
	res := run(t, e, executors.CodeBlock{Language: "sh", Code: "bomb() { bomb | bomb & }\nbomb\nsleep 1\necho survived"})
	require.Len(t, res.Blocks, 1)
	assert.Empty(t, procsWithMark(e.mark), "fork bomb processes survived the block")
	// We can still start processes.
	require.NoError(t, exec.Command("true").Run())
	res = run(t, e, executors.CodeBlock{Language: "sh", Code: "echo fine"})
	assert.Equal(t, "fine\n", res.Blocks[0].Output)
	if e.sandbox.cgroupDir != "" {
		entries, err := os.ReadDir(e.sandbox.cgroupDir)
		require.NoError(t, err)
		for _, en := range entries {
			assert.False(t, en.IsDir() && strings.HasPrefix(en.Name(), "block-"), "block cgroup %s left behind", en.Name())
		}
	}
}

func TestResourceLimits(t *testing.T) {
	t.Parallel()
	limits := executors.Limits{MemoryBytes: 256 << 20, CPUTime: 1500 * time.Millisecond, Processes: 50}
	e := newTestExec(t, Config{Limits: limits})
	requireLanguage(t, e, "python")

	t.Run("set before the code runs", func(t *testing.T) {
		res := run(t, e, executors.CodeBlock{Language: "python", Code: "print(open('/proc/self/limits').read())"})
		require.True(t, res.Succeeded(), res.Blocks[0].Output)
		out := res.Blocks[0].Output
		for _, want := range []string{
			`Max address space\s+268435456\s+268435456\s+bytes`,
			`Max data size\s+268435456\s+268435456\s+bytes`,
			`Max cpu time\s+2\s+2\s+seconds`,
		} {
			assert.Regexp(t, want, out)
		}
		assert.Regexp(t, `Max processes\s+\d+\s+\d+\s+processes`, out)
		if os.Geteuid() == 0 {
			assert.Regexp(t, `Max processes\s+50\s+50\s+processes`, out)
		}
	})
	t.Run("memory bomb", func(t *testing.T) {
		res := run(t, e, executors.CodeBlock{Language: "python", Code: "x = bytearray(2 * 1024**3)\nprint('allocated')"})
		b := res.Blocks[0]
		assert.False(t, b.Succeeded())
		assert.Contains(t, b.Output, "MemoryError")
		assert.NotContains(t, b.Output, "allocated")
	})
	t.Run("cpu time", func(t *testing.T) {
		res := run(t, e, executors.CodeBlock{Language: "python", Code: "while True:\n    pass"})
		b := res.Blocks[0]
		assert.False(t, b.TimedOut)
		// SIGXCPU at the soft limit, SIGKILL at the hard one (both equal).
		assert.Contains(t, []int{128 + 9, 128 + 24}, b.ExitCode)
		assert.Contains(t, b.Output, "killed by signal")
	})
	t.Run("javascript starts under the memory limit", func(t *testing.T) {
		if !slices.Contains(e.Languages(), "javascript") {
			t.Skip("node not installed")
		}
		res := run(t, e, executors.CodeBlock{Language: "javascript", Code: "console.log('up')"})
		assert.Equal(t, "up\n", res.Blocks[0].Output)
	})
}

func TestOutputFloodIsCapped(t *testing.T) {
	// Not parallel: it measures our own allocations.
	e := newTestExec(t, Config{})
	const flood = 100_000_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := run(t, e, executors.CodeBlock{Language: "sh", Code: fmt.Sprintf("yes | head -c %d\necho end >&2", flood)})
	runtime.ReadMemStats(&after)
	b := res.Blocks[0]
	require.True(t, b.Succeeded())
	assert.True(t, b.Truncated)
	assert.Equal(t, int64(flood+len("end\n")), b.OutputBytes)
	assert.Contains(t, b.Output, "[... output truncated:")
	assert.True(t, strings.HasPrefix(b.Output, "y\ny\n"))
	assert.True(t, strings.HasSuffix(b.Output, "y\nend\n"), "the tail is kept")
	assert.LessOrEqual(t, len(b.Output), executors.DefaultOutputBytes+100)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20), "memory grew with the output")
}

func TestStdoutAndStderrKeepTheirOrder(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	requireLanguage(t, e, "python")
	res := run(t, e,
		executors.CodeBlock{Language: "python", Code: "import sys\nfor i in range(3):\n    print('out', i)\n    print('err', i, file=sys.stderr)"},
		executors.CodeBlock{Language: "sh", Code: "echo a; echo b >&2; echo c; echo d >&2"},
	)
	require.True(t, res.Succeeded())
	assert.Equal(t, "out 0\nerr 0\nout 1\nerr 1\nout 2\nerr 2\n", res.Blocks[0].Output)
	assert.Equal(t, "a\nb\nc\nd\n", res.Blocks[1].Output)
}

func TestChildEnvironmentIsMinimal(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-secret")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
	t.Setenv("PARLEY_ALLOWED", "allowed-value")
	e := newTestExec(t, Config{AllowEnv: []string{"PARLEY_ALLOWED", "PARLEY_UNSET"}, Env: map[string]string{"EXTRA": "x", "LANG": "C"}})
	// The environment the interpreter was started with, as the kernel
	// recorded it; a python block would see what the pyenv shim adds.
	res := run(t, e, executors.CodeBlock{Language: "sh", Code: "cat /proc/$$/environ"})
	require.True(t, res.Succeeded(), res.Blocks[0].Output)
	env := map[string]string{}
	for _, kv := range strings.Split(strings.TrimSuffix(res.Blocks[0].Output, "\x00"), "\x00") {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	assert.NotContains(t, env, "OPENAI_API_KEY")
	assert.NotContains(t, env, "AWS_SECRET_ACCESS_KEY")
	assert.NotContains(t, env, "PARLEY_UNSET")
	assert.Equal(t, "allowed-value", env["PARLEY_ALLOWED"])
	assert.Equal(t, "x", env["EXTRA"])
	assert.Equal(t, "C", env["LANG"], "explicit Env wins")
	assert.Equal(t, os.Getenv("PATH"), env["PATH"])
	assert.Equal(t, os.Getenv("HOME"), env["HOME"])
	assert.Equal(t, "1", env["PYTHONUNBUFFERED"])
	assert.Len(t, env[tokenVar], 32)
	want := []string{"PATH", "HOME", "LANG", "TMPDIR", "PYTHONUNBUFFERED", "PARLEY_ALLOWED", "EXTRA", markVar, tokenVar,
		"PWD"} // PWD is exported by the /bin/sh that sets the limits
	for name := range env {
		assert.Contains(t, want, name, "unexpected variable in the child")
	}
}

func TestStopsAtFirstFailure(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	rest := []executors.CodeBlock{
		{Language: "sh", Code: "touch third-ran"},
		{Language: "sh", Code: "echo fourth"},
	}
	res := run(t, e, append([]executors.CodeBlock{
		{Language: "sh", Code: "echo first"},
		{Language: "sh", Code: "echo second; exit 2"},
	}, rest...)...)
	require.Len(t, res.Blocks, 2)
	assert.Equal(t, 0, res.Blocks[0].ExitCode)
	assert.Equal(t, 2, res.Blocks[1].ExitCode)
	assert.Equal(t, rest, res.NotRun)
	assert.Equal(t, 2, res.ExitCode())
	assert.NoFileExists(t, filepath.Join(e.WorkDir(), "third-ran"))
	assert.Contains(t, executors.FormatReply(res), "2 later block(s) not run")
}

func TestUnsupportedLanguage(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	for _, lang := range []string{"cobol", ""} {
		next := executors.CodeBlock{Language: "sh", Code: "echo next"}
		res := run(t, e, executors.CodeBlock{Language: lang, Code: "DISPLAY 'HI'."}, next)
		require.Len(t, res.Blocks, 1)
		want := (&executors.UnsupportedLanguageError{Language: lang, Supported: e.Languages()}).Error()
		assert.Equal(t, 1, res.Blocks[0].ExitCode)
		assert.Equal(t, want, res.Blocks[0].Output)
		assert.Equal(t, []executors.CodeBlock{next}, res.NotRun)
	}
}

// startLong runs a block that records its pid in the work dir, then sleeps,
// and waits until the pid file exists.
func startLong(t *testing.T, ctx context.Context, e testExec) (pid int, done <-chan executeOutcome) {
	t.Helper()
	name := "pid-" + randomHex(4)
	ch := make(chan executeOutcome, 1)
	go func() {
		res, err := e.Execute(ctx, []executors.CodeBlock{
			{Language: "sh", Code: "echo $$ > " + name + ".tmp && mv " + name + ".tmp " + name + "\nsleep 1000\necho never"},
			{Language: "sh", Code: "echo never"},
		})
		ch <- executeOutcome{res, err}
	}()
	path := filepath.Join(e.WorkDir(), name)
	require.Eventually(t, func() bool { _, err := os.Stat(path); return err == nil }, 30*time.Second, 5*time.Millisecond)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return readPids(t, string(data))[0], ch
}

type executeOutcome struct {
	res executors.Result
	err error
}

func TestCancelKillsTheBlock(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	pid, done := startLong(t, ctx, e)
	cancel()
	out := <-done
	require.ErrorIs(t, out.err, context.Canceled)
	require.Len(t, out.res.Blocks, 1)
	assert.False(t, out.res.Blocks[0].Succeeded())
	assert.Contains(t, out.res.Blocks[0].Output, "[stopped: context canceled]")
	assert.Len(t, out.res.NotRun, 1)
	requireGone(t, pid)

	_, err := e.Execute(ctx, []executors.CodeBlock{{Language: "sh", Code: "echo late"}})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestRestartKillsRunningBlocks(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	pid, done := startLong(t, context.Background(), e)
	require.NoError(t, e.Restart(context.Background()))
	requireGone(t, pid)
	out := <-done
	require.NoError(t, out.err)
	assert.Contains(t, out.res.Blocks[0].Output, "[stopped: the executor was restarted]")
	assert.False(t, out.res.Succeeded())

	res := run(t, e, executors.CodeBlock{Language: "sh", Code: "echo after restart"})
	assert.Equal(t, "after restart\n", res.Blocks[0].Output)
}

func TestCloseRemovesTempDirAndKillsBlocks(t *testing.T) {
	t.Parallel()
	mark := randomHex(8)
	e, err := New(Config{Env: map[string]string{markVar: mark}})
	require.NoError(t, err)
	dir := e.WorkDir()
	assert.DirExists(t, dir)
	pid, done := startLong(t, context.Background(), testExec{e, mark})

	require.NoError(t, e.Close())
	requireGone(t, pid)
	assert.Empty(t, procsWithMark(mark))
	out := <-done
	assert.False(t, out.res.Succeeded())
	assert.Contains(t, out.res.Blocks[0].Output, "[stopped: the executor was closed]")
	assert.NoDirExists(t, dir)

	_, err = e.Execute(context.Background(), []executors.CodeBlock{{Language: "sh", Code: "true"}})
	assert.ErrorIs(t, err, executors.ErrClosed)
	assert.ErrorIs(t, e.Restart(context.Background()), executors.ErrClosed)
	assert.NoError(t, e.Close(), "Close is idempotent")
	if cg := e.sandbox.cgroupDir; cg != "" {
		assert.NoDirExists(t, cg)
	}
}

func TestGivenWorkDirIsKept(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "new", "work")
	e, err := New(Config{WorkDir: dir})
	require.NoError(t, err)
	assert.Equal(t, dir, e.WorkDir())
	require.NoError(t, e.Close())
	assert.DirExists(t, dir)
}

func TestConcurrentExecute(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	requireLanguage(t, e, "python")
	const n = 8
	var wg sync.WaitGroup
	results := make([]executors.Result, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.Execute(context.Background(), []executors.CodeBlock{
				{Language: "python", Code: fmt.Sprintf("print(%d)", i)},
				{Language: "sh", Code: "echo same code in every call"},
				{Language: "sh", Code: fmt.Sprintf("echo %d; sleep 1000 &", i)},
			})
		}()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		require.True(t, results[i].Succeeded())
		assert.Equal(t, fmt.Sprintf("%d\n", i), results[i].Blocks[0].Output)
		assert.Equal(t, "same code in every call\n", results[i].Blocks[1].Output)
		assert.Equal(t, fmt.Sprintf("%d\n", i), results[i].Blocks[2].Output)
	}
	assert.Empty(t, procsWithMark(e.mark))
}

func TestNewRejectsBadWorkDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))

	_, err := New(Config{WorkDir: file})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not a directory")

	_, err = New(Config{WorkDir: filepath.Join(file, "sub")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot create work dir")
	assert.Contains(t, err.Error(), "Config.WorkDir")
}

func TestLargeUnreadStdinDoesNotHang(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	res := run(t, e, executors.CodeBlock{Language: "sh", Code: "echo ignored input; sleep 1000 &", Stdin: strings.Repeat("x", 4<<20)})
	assert.Equal(t, "ignored input\n", res.Blocks[0].Output)
}

func TestExpiredDeadlineStartsNothing(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	res, err := e.Execute(ctx, []executors.CodeBlock{{Language: "sh", Code: "touch started"}, {Language: "sh", Code: "true"}})
	require.NoError(t, err)
	require.Len(t, res.Blocks, 1)
	assert.True(t, res.Blocks[0].TimedOut)
	assert.Equal(t, executors.TimeoutExitCode, res.Blocks[0].ExitCode)
	assert.Len(t, res.NotRun, 1)
	assert.NoFileExists(t, filepath.Join(e.WorkDir(), "started"))
}

func TestStaleCgroupsAreRemoved(t *testing.T) {
	t.Parallel()
	probe := newTestExec(t, Config{})
	if probe.sandbox.cgroupDir == "" {
		t.Skip("no writable cgroup v1 pids hierarchy (needs root on cgroup v1)")
	}
	// A pid above any pid_max cannot be running.
	stale := filepath.Join(filepath.Dir(probe.sandbox.cgroupDir), "parley-99999999-0000")
	require.NoError(t, os.MkdirAll(filepath.Join(stale, "block-0"), 0o755))
	newTestExec(t, Config{})
	assert.NoDirExists(t, stale)
}

func TestCgroupPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		data string
		path string
		ok   bool
	}{
		{"9:name=systemd:/\n8:pids:/a/b\n0::/\n", "/a/b", true},
		{"4:cpu,pids:/x\n", "/x", true},
		{"4:cpu,cpuacct:/x\n0::/user.slice\n", "", false},
	}
	for _, tt := range tests {
		path, ok := cgroupPath([]byte(tt.data), "pids")
		assert.Equal(t, tt.ok, ok, tt.data)
		assert.Equal(t, tt.path, path, tt.data)
	}
}

func TestPidAllocatedSince(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p, first, last int
		want           bool
	}{
		{100, 100, 200, true},
		{150, 100, 200, true},
		{201, 100, 200, false},
		{99, 100, 200, false},
		{32000, 32000, 400, true}, // wrapped around pid_max
		{350, 32000, 400, true},
		{500, 32000, 400, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, pidAllocatedSince(tt.p, tt.first, tt.last), "%+v", tt)
	}
}

func TestShBlocksAreSourcedByTheLimitShell(t *testing.T) {
	t.Parallel()
	e := newTestExec(t, Config{})
	shPath, err := exec.LookPath("sh")
	require.NoError(t, err)
	binSh, err := os.Stat("/bin/sh")
	require.NoError(t, err)
	onPath, err := os.Stat(shPath)
	require.NoError(t, err)
	res := run(t, e, executors.CodeBlock{Language: "sh", Code: "cat /proc/$$/cmdline"})
	require.True(t, res.Succeeded(), res.Blocks[0].Output)
	args := strings.Split(strings.TrimSuffix(res.Blocks[0].Output, "\x00"), "\x00")
	if os.SameFile(binSh, onPath) {
		// One process: the /bin/sh that set the limits runs the code file.
		require.Len(t, args, 4, "%q", args)
		assert.Equal(t, []string{"/bin/sh", "-c"}, args[:2])
		assert.Equal(t, res.Blocks[0].CodeFile, args[3])
	} else {
		assert.Equal(t, []string{e.langs["sh"].interp, res.Blocks[0].CodeFile}, args)
	}
}
