package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/executors"
)

// inCI reports whether tests must run rather than skip (see COMMON rules:
// with CI=true a missing engine or image is a failure).
func inCI() bool { return os.Getenv("CI") == "true" }

var engineCheck = sync.OnceValue(func() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return err
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return &EngineError{Host: cli.DaemonHost(), Err: err}
	}
	if _, err := cli.ImageInspect(ctx, DefaultImage); err != nil {
		return fmt.Errorf("image %s is missing (%v): build it with %s", DefaultImage, err, BuildHint)
	}
	return nil
})

// requireEngine skips outside CI, and fails under CI, when there is no
// engine or no sandbox image.
func requireEngine(t testing.TB) {
	t.Helper()
	if err := engineCheck(); err != nil {
		if inCI() {
			require.NoError(t, err, "CI=true: the Docker tests must run; start dockerd and run %s", BuildHint)
		}
		t.Skipf("skipping Docker test: %v (start dockerd and run %s)", err, BuildHint)
	}
}

func testClient(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cli.Close() })
	return cli
}

// newExecutor starts an executor with test-friendly defaults and closes it
// at the end of the test.
func newExecutor(t testing.TB, cfg Config) *Executor {
	t.Helper()
	requireEngine(t)
	e, err := New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, e.Close()) })
	return e
}

func run(t testing.TB, e *Executor, blocks ...executors.CodeBlock) executors.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := e.Execute(ctx, blocks)
	require.NoError(t, err)
	require.NotEmpty(t, res.Blocks)
	return res
}

func py(code string) executors.CodeBlock { return executors.CodeBlock{Language: "python", Code: code} }
func sh(code string) executors.CodeBlock { return executors.CodeBlock{Language: "sh", Code: code} }

// containerExists lists containers by our label and reports whether id is
// among them.
func containerExists(t testing.TB, cli *client.Client, id string) bool {
	t.Helper()
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", LabelExecutor+"="+executorLabelV).Add("id", id),
	})
	require.NoError(t, err)
	for _, c := range list.Items {
		if c.ID == id {
			return true
		}
	}
	return false
}

func TestLanguages(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	tests := []struct {
		name  string
		block executors.CodeBlock
		want  string
		code  int
	}{
		{"python", py("print(6*7)"), "42\n", 0},
		{"sh", sh("echo hello from sh"), "hello from sh\n", 0},
		{"bash", executors.CodeBlock{Language: "bash", Code: "a=(x y z); echo ${#a[@]}"}, "3\n", 0},
		{"python exit code", py("import sys; print('bye'); sys.exit(3)"), "bye\n", 3},
		{"stderr merged in order", sh("echo one; echo two >&2; echo three"), "one\ntwo\nthree\n", 0},
		{"stdin", executors.CodeBlock{Language: "python", Code: "import sys; print(sys.stdin.read().upper())", Stdin: "quiet"}, "QUIET\n", 0},
	}
	for _, tt := range tests {
		res := run(t, e, tt.block)
		br := res.Blocks[0]
		assert.Equal(t, tt.want, br.Output, tt.name)
		assert.Equal(t, tt.code, br.ExitCode, tt.name)
		assert.False(t, br.TimedOut, tt.name)
	}
}

func TestInterpreterTakesCanonicalNamesAndAliases(t *testing.T) {
	t.Parallel()
	tests := []struct{ lang, prog, ext string }{
		{"python", "python3", "py"},
		{" Py ", "python3", "py"},
		{"python3", "python3", "py"},
		{"sh", "sh", "sh"},
		{"shell", "sh", "sh"},
		{"bash", "bash", "sh"},
	}
	for _, tt := range tests {
		prog, ext, ok := interpreter(tt.lang)
		assert.True(t, ok, tt.lang)
		assert.Equal(t, tt.prog, prog, tt.lang)
		assert.Equal(t, tt.ext, ext, tt.lang)
	}
	for _, lang := range []string{"", "cobol", "javascript"} {
		_, _, ok := interpreter(lang)
		assert.False(t, ok, "%q is not run by this executor", lang)
	}
}

func TestUnsupportedAndMissingInterpreter(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	res := run(t, e, executors.CodeBlock{Language: "cobol", Code: "DISPLAY 'HI'."}, sh("echo not run"))
	assert.Equal(t, 1, res.Blocks[0].ExitCode)
	assert.Contains(t, res.Blocks[0].Output, `unknown language "cobol"`)
	assert.Len(t, res.NotRun, 1)

	// The image has no bash-only interpreter named "zsh"; a language the
	// executor knows but the image lacks must fail clearly, not hang.
	// python/sh/bash are all present in the sandbox image, so exercise
	// the wrapper's check through an image-independent path: a missing
	// interpreter is reported with exit code 127.
	out, code := runWrapper(t, e, "no-such-interpreter")
	assert.Equal(t, 127, code)
	assert.Contains(t, out, "no-such-interpreter is not installed in this image")
}

// runWrapper runs the block wrapper with an arbitrary program name.
func runWrapper(t *testing.T, e *Executor, prog string) (string, int) {
	t.Helper()
	ctx := context.Background()
	id, err := e.ensureContainer(ctx)
	require.NoError(t, err)
	out := executors.NewCappedOutput(0)
	o, err := e.exec(ctx, id, "/dev/null", prog, "", out)
	require.NoError(t, err)
	return out.String(), o.exitCode
}

func TestWorkDirSharedWithHost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "from_host.txt"), []byte("host data"), 0o644))
	e := newExecutor(t, Config{WorkDir: dir})

	res := run(t, e,
		py("print(open('from_host.txt').read())"),
		py("open('from_block.txt', 'w').write('block data')"),
		executors.CodeBlock{Language: "python", Filename: "sub/dir/named.py", Code: "print('named ok')"},
	)
	require.True(t, res.Succeeded(), executors.FormatReply(res))
	assert.Equal(t, "host data\n", res.Blocks[0].Output)
	assert.Equal(t, "named ok\n", res.Blocks[2].Output)
	assert.Equal(t, filepath.Join(e.WorkDir(), "sub", "dir", "named.py"), res.Blocks[2].CodeFile)
	assert.FileExists(t, res.Blocks[2].CodeFile)
	assert.True(t, strings.HasPrefix(filepath.Base(res.Blocks[0].CodeFile), "tmp_code_"))

	// The host user can read, rewrite and remove what the block wrote.
	p := filepath.Join(dir, "from_block.txt")
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "block data", string(b))
	require.NoError(t, os.WriteFile(p, []byte("changed"), 0o644))
	require.NoError(t, os.Remove(p))

	// And the block can modify files saved for it (they belong to its user).
	res = run(t, e, sh("echo more >> sub/dir/named.py && rm sub/dir/named.py && echo removed"))
	assert.Equal(t, "removed\n", res.Blocks[0].Output)
}

func TestUnsafeFilenameRefused(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	res := run(t, e, executors.CodeBlock{Language: "sh", Filename: "../escape.sh", Code: "echo no"})
	assert.Equal(t, 1, res.Blocks[0].ExitCode)
	assert.Contains(t, res.Blocks[0].Output, "escapes the work dir")

	// A symlink planted by a block must not redirect the next code file
	// outside the work dir.
	outside := filepath.Join(t.TempDir(), "victim.txt")
	require.NoError(t, os.WriteFile(outside, []byte("original"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(e.WorkDir(), "link.sh")))
	res = run(t, e, executors.CodeBlock{Language: "sh", Filename: "link.sh", Code: "echo replaced the link"})
	assert.Equal(t, "replaced the link\n", res.Blocks[0].Output)
	b, err := os.ReadFile(outside)
	require.NoError(t, err)
	assert.Equal(t, "original", string(b))
}

func TestNetworkIsLoopbackOnly(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	res := run(t, e, py(`
import socket
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
c = socket.create_connection(srv.getsockname(), timeout=5)
print("loopback ok")
try:
    socket.create_connection(("1.1.1.1", 53), timeout=5)
    print("outside reachable")
except OSError as e:
    print("outside blocked:", type(e).__name__)
`))
	out := res.Blocks[0].Output
	assert.Contains(t, out, "loopback ok")
	assert.Contains(t, out, "outside blocked")
	assert.NotContains(t, out, "outside reachable")
}

func TestRootFSReadOnlyAndNotRoot(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	for _, p := range []string{"/usr/x", "/etc/x", "/x"} {
		res := run(t, e, sh("echo data > "+p+" && echo wrote"))
		assert.NotEqual(t, 0, res.Blocks[0].ExitCode, p)
		assert.NotContains(t, res.Blocks[0].Output, "wrote", p)
	}
	res := run(t, e, sh("echo tmp > /tmp/x && cat /tmp/x && id -u && grep CapEff /proc/self/status"))
	lines := strings.Split(strings.TrimSpace(res.Blocks[0].Output), "\n")
	require.Len(t, lines, 3, res.Blocks[0].Output)
	assert.Equal(t, "tmp", lines[0])
	assert.NotEqual(t, "0", lines[1])
	assert.Equal(t, "CapEff:\t0000000000000000", lines[2])
}

func TestEnvironmentNotInherited(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test-secret-should-not-leak")
	e := newExecutor(t, Config{Env: map[string]string{"GREETING": "hi"}})
	res := run(t, e, py("import os; print(sorted(os.environ.items()))"))
	out := res.Blocks[0].Output
	assert.NotContains(t, out, "sk-test-secret")
	assert.NotContains(t, out, "OPENAI_API_KEY")
	assert.Contains(t, out, "('GREETING', 'hi')")
	assert.Contains(t, out, "('HOME', '/workspace')", "home is the writable work dir")
}

func TestForkBombStoppedByPidsLimit(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{Limits: executors.Limits{Timeout: 10 * time.Second}})
	res := run(t, e, executors.CodeBlock{Language: "bash", Code: `bomb() { bomb | bomb & }; bomb; sleep 30`})
	br := res.Blocks[0]
	assert.False(t, br.Succeeded())
	// The container is still usable (or was replaced, which the output says).
	res = run(t, e, sh("echo alive"))
	assert.Equal(t, "alive\n", res.Blocks[0].Output)
	res = run(t, e, py(`import os; print(len([p for p in os.listdir('/proc') if p.isdigit()]))`))
	n, err := strconv.Atoi(strings.TrimSpace(res.Blocks[0].Output))
	require.NoError(t, err, res.Blocks[0].Output)
	assert.Less(t, n, 10, "bomb processes survived the block")
}

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	res := run(t, e, py("b = bytearray(3 << 30); print('allocated', len(b))"))
	br := res.Blocks[0]
	assert.False(t, br.Succeeded())
	assert.NotContains(t, br.Output, "allocated")
	res = run(t, e, sh("echo alive"))
	assert.Equal(t, "alive\n", res.Blocks[0].Output)
}

func TestOutputCapped(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	res := run(t, e, py("import sys\nfor _ in range(100): sys.stdout.write('x' * (1 << 20))\nprint('END')"))
	br := res.Blocks[0]
	assert.True(t, br.Succeeded())
	assert.True(t, br.Truncated)
	assert.Equal(t, int64(100<<20+4), br.OutputBytes)
	assert.Contains(t, br.Output, "output truncated")
	assert.Less(t, len(br.Output), executors.DefaultOutputBytes+200)
	assert.True(t, strings.HasSuffix(br.Output, "END\n"))
}

func TestTimeoutKillsTreeAndContainerStaysUsable(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{Limits: executors.Limits{Timeout: 2 * time.Second}})
	res := run(t, e, sh("(while :; do :; done) & while :; do :; done"), sh("echo not run"))
	br := res.Blocks[0]
	assert.True(t, br.TimedOut)
	assert.Equal(t, executors.TimeoutExitCode, br.ExitCode)
	assert.Len(t, res.NotRun, 1)
	id := e.ContainerID()

	res = run(t, e, sh("echo next; ps -e -o comm= 2>/dev/null || ls /proc | grep -c '^[0-9]'"))
	assert.True(t, strings.HasPrefix(res.Blocks[0].Output, "next\n"), res.Blocks[0].Output)
	assert.Equal(t, id, e.ContainerID(), "the container should survive a timeout")
	// Every process of the timed-out block (the wrapper, the shell running
	// its code file and the background loop it forked) is gone.
	res = run(t, e, py(fmt.Sprintf(`import os
left = 0
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            cmd = open('/proc/%%s/cmdline' %% p, 'rb').read()
        except OSError:
            continue
        if %q.encode() in cmd:
            left += 1
print('left:', left)`, filepath.Base(br.CodeFile))))
	assert.Equal(t, "left: 0\n", res.Blocks[0].Output)
}

func TestBackgroundProcessKilledWhenBlockEnds(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	res := run(t, e, sh("nohup sleep 1000 >/dev/null 2>&1 & echo started"))
	assert.Equal(t, "started\n", res.Blocks[0].Output)
	res = run(t, e, py(`
import os
found = []
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            cmd = open('/proc/%s/cmdline' % p, 'rb').read().split(b'\0')
        except OSError:
            continue
        if cmd[:2] == [b'sleep', b'1000']:
            found.append(p)
print('sleepers:', len(found))
`))
	assert.Equal(t, "sleepers: 0\n", res.Blocks[0].Output)
}

func TestCloseRemovesContainerAndTempDir(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	cli := testClient(t)
	e, err := New(context.Background(), Config{})
	require.NoError(t, err)
	run(t, e, sh("echo hi > file.txt"))
	id, dir := e.ContainerID(), e.WorkDir()
	require.NotEmpty(t, id)
	require.True(t, containerExists(t, cli, id))
	require.NoError(t, e.Close())
	assert.False(t, containerExists(t, cli, id))
	assert.NoDirExists(t, dir)
	assert.NoError(t, e.Close(), "Close twice")
	_, err = e.Execute(context.Background(), []executors.CodeBlock{sh("echo")})
	assert.ErrorIs(t, err, executors.ErrClosed)
}

func TestNewContextCancelRemovesContainer(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	cli := testClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	e, err := New(ctx, Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	run(t, e, sh("echo hi"))
	id := e.ContainerID()
	require.True(t, containerExists(t, cli, id))
	cancel()
	assert.Eventually(t, func() bool { return !containerExists(t, cli, id) }, time.Minute, 50*time.Millisecond)
	_, err = e.Execute(context.Background(), []executors.CodeBlock{sh("echo")})
	assert.ErrorIs(t, err, executors.ErrClosed)
}

func TestCloseStopsRunningExecute(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	run(t, e, sh("true"))
	errc := make(chan error, 1)
	go func() {
		_, err := e.Execute(context.Background(), []executors.CodeBlock{sh("sleep 600")})
		errc <- err
	}()
	time.Sleep(500 * time.Millisecond) // let the block start
	require.NoError(t, e.Close())
	assert.Error(t, <-errc)
}

func TestExecuteContextCancelKillsBlock(t *testing.T) {
	t.Parallel()
	e := newExecutor(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	res, err := e.Execute(ctx, []executors.CodeBlock{sh("echo before; sleep 600")})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	require.Len(t, res.Blocks, 1)
	assert.Contains(t, res.Blocks[0].Output, "before")
	res = run(t, e, sh("echo after"))
	assert.Equal(t, "after\n", res.Blocks[0].Output)
}

func TestRestartReplacesContainer(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	cli := testClient(t)
	e := newExecutor(t, Config{})
	run(t, e, sh("echo x > /tmp/state; echo kept > kept.txt"))
	old := e.ContainerID()
	require.NoError(t, e.Restart(context.Background()))
	assert.NotEqual(t, old, e.ContainerID())
	assert.False(t, containerExists(t, cli, old))
	res := run(t, e, sh("cat kept.txt; test -e /tmp/state && echo state survived || echo fresh"))
	assert.Equal(t, "kept\nfresh\n", res.Blocks[0].Output)
}

func TestContainerReplacedWhenKilledFromOutside(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	cli := testClient(t)
	e := newExecutor(t, Config{})
	run(t, e, sh("true"))
	old := e.ContainerID()
	_, err := cli.ContainerKill(context.Background(), old, client.ContainerKillOptions{Signal: "KILL"})
	require.NoError(t, err)
	res := run(t, e, sh("echo again"))
	assert.Contains(t, res.Blocks[0].Output, "again")
	assert.Contains(t, res.Blocks[0].Output, "was replaced")
	assert.NotEqual(t, old, e.ContainerID())
	assert.False(t, containerExists(t, cli, old))
}

func TestSecureHostConfig(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	cli := testClient(t)
	e := newExecutor(t, Config{})
	run(t, e, sh("true"))
	ins, err := cli.ContainerInspect(context.Background(), e.ContainerID(), client.ContainerInspectOptions{})
	require.NoError(t, err)
	hc := ins.Container.HostConfig
	assert.Equal(t, container.NetworkMode("none"), hc.NetworkMode)
	assert.Equal(t, int64(executors.DefaultMemoryBytes), hc.Memory)
	assert.Equal(t, hc.Memory, hc.MemorySwap)
	assert.Equal(t, int64(1e9), hc.NanoCPUs)
	require.NotNil(t, hc.PidsLimit)
	assert.Equal(t, int64(executors.DefaultProcesses), *hc.PidsLimit)
	assert.True(t, hc.ReadonlyRootfs)
	assert.Contains(t, hc.Tmpfs, "/tmp")
	assert.Equal(t, []string{"CAP_ALL"}, normalizeCaps(hc.CapDrop))
	assert.Contains(t, hc.SecurityOpt, "no-new-privileges")
	require.NotNil(t, hc.Init)
	assert.True(t, *hc.Init)
	assert.Equal(t, strconv.Itoa(os.Getpid()), ins.Container.Config.Labels[LabelPID])
}

func normalizeCaps(c []string) []string {
	out := make([]string, len(c))
	for i, s := range c {
		s = strings.ToUpper(s)
		if !strings.HasPrefix(s, "CAP_") {
			s = "CAP_" + s
		}
		out[i] = s
	}
	return out
}

func TestStaleSweep(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	cli := testClient(t)
	ctx := context.Background()

	// A pid that surely belongs to no process any more.
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	dead := cmd.Process.Pid

	me := self()
	stale := me.labels()
	stale[LabelPID] = strconv.Itoa(dead)
	// The pid may be reused by the time New looks (tests start many
	// processes): a start time no live process has marks it as not ours.
	stale[LabelPIDStart] = "1"
	reused := me.labels() // our pid, but another process's start time
	reused[LabelPIDStart] = "1"
	alive := me.labels() // ours: must survive the sweep
	otherHost := me.labels()
	otherHost[LabelPID] = strconv.Itoa(dead)
	otherHost[LabelHost] = "some-other-host"

	ids := map[string]string{}
	for name, labels := range map[string]map[string]string{"stale": stale, "reused": reused, "alive": alive, "otherHost": otherHost} {
		created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Config:     &container.Config{Image: DefaultImage, Cmd: []string{"sleep", "infinity"}, Labels: labels},
			HostConfig: &container.HostConfig{NetworkMode: "none"},
		})
		require.NoError(t, err)
		ids[name] = created.ID
		t.Cleanup(func() {
			_, _ = cli.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true})
		})
	}
	// Other tests' New may sweep the stale ones first; either way they
	// must be gone after ours.
	newExecutor(t, Config{})
	assert.False(t, containerExists(t, cli, ids["stale"]), "stale container of pid %d survived", dead)
	assert.False(t, containerExists(t, cli, ids["reused"]), "container of a reused pid survived")
	assert.True(t, containerExists(t, cli, ids["alive"]))
	assert.True(t, containerExists(t, cli, ids["otherHost"]))
}

func TestEngineUnreachable(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "no-such-docker.sock")
	_, err := New(context.Background(), Config{Host: "unix://" + sock})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrEngineUnreachable)
	var ee *EngineError
	require.True(t, errors.As(err, &ee))
	assert.Equal(t, "unix://"+sock, ee.Host)
	assert.Contains(t, err.Error(), "docker: cannot reach the engine at unix://"+sock+": is dockerd running?")
}

func TestMissingImageSaysHowToBuild(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	// The image names a registry on a closed loopback port, so the engine's
	// pull attempt fails at once without looking anything up off this host.
	_, err := New(context.Background(), Config{Image: "127.0.0.1:1/parley-no-such-image:never"})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrImageUnavailable)
	assert.Contains(t, err.Error(), BuildHint)

	msg := (&ImageError{Image: DefaultImage, PullErr: errors.New("no registry")}).Error()
	assert.Contains(t, msg, "build it offline with: bash scripts/build-sandbox-image.sh")
}

func TestRefusesRootUser(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	_, err := New(context.Background(), Config{User: "0:0"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to run code as root")
}

func TestConcurrentExecutors(t *testing.T) {
	t.Parallel()
	requireEngine(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := newExecutor(t, Config{})
			res := run(t, e, py(fmt.Sprintf("print(%d * 2)", i)))
			assert.Equal(t, fmt.Sprintf("%d\n", i*2), res.Blocks[0].Output)
		}()
	}
	wg.Wait()
}

func removeByID(cli *client.Client, id string) error {
	_, err := cli.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true})
	return err
}
