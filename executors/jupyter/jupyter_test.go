package jupyter

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/executors"
)

// shared is one local server for the whole test binary: starting one takes
// seconds on a small machine.
var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.srv != nil {
		_ = shared.srv.Close()
	}
	os.Exit(code)
}

// needJupyter skips outside CI when Jupyter is missing and fails in CI.
func needJupyter(t testing.TB) {
	t.Helper()
	if _, err := FindJupyter(); err != nil {
		if os.Getenv("CI") == "true" {
			require.NoError(t, err, "CI=true: Jupyter must be installed (scripts/setup-jupyter.sh)")
		}
		t.Skipf("Jupyter is not installed; run scripts/setup-jupyter.sh: %v", err)
	}
}

func sharedServer(t testing.TB) *Server {
	t.Helper()
	needJupyter(t)
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		// The default memory cap, as New applies it to servers it starts,
		// so every test's kernel runs under it.
		shared.srv, shared.err = StartServer(ctx, ServerConfig{MemoryBytes: executors.DefaultMemoryBytes})
	})
	require.NoError(t, shared.err)
	return shared.srv
}

// newExec returns an executor with its own kernel on the shared server.
func newExec(t testing.TB, cfg Config) *Executor {
	t.Helper()
	srv := sharedServer(t)
	cfg.URL, cfg.Token = srv.URL(), srv.Token()
	if cfg.WorkDir == "" && cfg.OutputDir == "" {
		cfg.OutputDir = t.TempDir()
	}
	e, err := New(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, e.Close()) })
	return e
}

func py(code string) executors.CodeBlock { return executors.CodeBlock{Language: "python", Code: code} }

func run(t testing.TB, e *Executor, blocks ...executors.CodeBlock) executors.Result {
	t.Helper()
	res, err := e.Execute(context.Background(), blocks)
	require.NoError(t, err)
	return res
}

func TestStatePersistsAcrossBlocksAndCalls(t *testing.T) {
	e := newExec(t, Config{})
	res := run(t, e, py("x = 41"), py("print(x + 1)"))
	require.True(t, res.Succeeded(), "%+v", res)
	assert.Equal(t, "42\n", res.Blocks[1].Output)

	res = run(t, e, py("x * 2"))
	require.True(t, res.Succeeded())
	assert.Equal(t, "82\n", res.Blocks[0].Output, "text/plain of a result goes to the output")

	require.NoError(t, e.Restart(context.Background()))
	res = run(t, e, py("print('x' in globals())"))
	assert.Equal(t, "False\n", res.Blocks[0].Output, "Restart discards state")
}

func TestMatplotlibPlotIsSavedAsPNG(t *testing.T) {
	tests := []struct{ name, code string }{
		{"agg backend and display", `
import io, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from IPython.display import Image, display
fig, ax = plt.subplots()
ax.plot([1, 2, 3], [1, 4, 9])
buf = io.BytesIO()
fig.savefig(buf, format="png")
display(Image(buf.getvalue()))
`},
		{"inline backend plt.show", `
import matplotlib.pyplot as plt
plt.plot([1, 2, 3], [3, 1, 2])
plt.show()
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			e := newExec(t, Config{OutputDir: out})
			res := run(t, e, py(tt.code))
			require.True(t, res.Succeeded(), "%+v", res)
			files := res.Files()
			require.Len(t, files, 1)
			assert.Equal(t, "image/png", files[0].MIMEType)
			assert.Equal(t, out, filepath.Dir(files[0].Path))
			data, err := os.ReadFile(files[0].Path)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(string(data), "\x89PNG\r\n\x1a\n"), "PNG signature")
			assert.Contains(t, executors.FormatReply(res), files[0].Path)
		})
	}
}

func TestHTMLResultSavedWithPlainText(t *testing.T) {
	e := newExec(t, Config{})
	res := run(t, e, py("from IPython.display import HTML, display\ndisplay(HTML('<b>hi</b>'))"))
	require.True(t, res.Succeeded())
	require.Len(t, res.Files(), 1)
	assert.Equal(t, "text/html", res.Files()[0].MIMEType)
	data, err := os.ReadFile(res.Files()[0].Path)
	require.NoError(t, err)
	assert.Equal(t, "<b>hi</b>", string(data))
}

func TestErrorHasNameAndNoANSI(t *testing.T) {
	e := newExec(t, Config{})
	res := run(t, e, py("print('before')\n1/0"), py("print('never')"))
	require.Len(t, res.Blocks, 1)
	b := res.Blocks[0]
	assert.Equal(t, 1, b.ExitCode)
	assert.Contains(t, b.Output, "before\n")
	assert.Contains(t, b.Output, "ZeroDivisionError")
	assert.Contains(t, b.Output, "division by zero")
	assert.NotContains(t, b.Output, "\x1b[")
	require.Len(t, res.NotRun, 1, "stops at the first failing block")
}

func TestTimeoutInterruptsAndKeepsState(t *testing.T) {
	e := newExec(t, Config{Limits: executors.Limits{Timeout: 2 * time.Second}})
	res := run(t, e, py("y = 7"), py("print('spinning', flush=True)\nwhile True: pass"), py("print('never')"))
	require.Len(t, res.Blocks, 2)
	b := res.Blocks[1]
	assert.True(t, b.TimedOut)
	assert.Equal(t, executors.TimeoutExitCode, b.ExitCode)
	assert.Contains(t, b.Output, "spinning", "output before the deadline is kept")
	assert.Len(t, res.NotRun, 1)

	res = run(t, e, py("print(y)"))
	require.True(t, res.Succeeded(), "%+v", res)
	assert.Equal(t, "7\n", res.Blocks[0].Output, "an interrupt keeps the kernel's state")
}

func TestContextDeadlineIsATimeout(t *testing.T) {
	e := newExec(t, Config{})
	run(t, e, py("pass")) // start the kernel outside the deadline
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	res, err := e.Execute(ctx, []executors.CodeBlock{py("import time\ntime.sleep(60)")})
	require.NoError(t, err)
	require.Len(t, res.Blocks, 1)
	assert.True(t, res.Blocks[0].TimedOut)
}

func TestKernelDeathIsReportedAndRecovered(t *testing.T) {
	e := newExec(t, Config{})
	res := run(t, e, py("z = 1"), py("import os\nos._exit(1)"), py("print('never')"))
	require.Len(t, res.Blocks, 2)
	b := res.Blocks[1]
	assert.Equal(t, 1, b.ExitCode)
	assert.Contains(t, b.Output, "kernel died")
	assert.Contains(t, b.Output, "state was lost")

	res = run(t, e, py("print('z' in globals())"))
	require.True(t, res.Succeeded(), "%+v", res)
	assert.Equal(t, "False\n", res.Blocks[0].Output)
}

func TestShellBlocks(t *testing.T) {
	dir := t.TempDir()
	e := newExec(t, Config{WorkDir: dir})
	tests := []struct {
		name  string
		block executors.CodeBlock
		code  int
		out   string
	}{
		{"sh output", executors.CodeBlock{Language: "sh", Code: "echo hello; echo oops >&2"}, 0, "hello\noops\n"},
		{"bash features", executors.CodeBlock{Language: "bash", Code: "a=(1 2 3); echo ${#a[@]}"}, 0, "3\n"},
		{"exit status", executors.CodeBlock{Language: "sh", Code: "echo partial; exit 3"}, 3, "partial\n"},
		{"stdin", executors.CodeBlock{Language: "sh", Code: "tr a-z A-Z", Stdin: "shout\n"}, 0, "SHOUT\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, e, tt.block)
			require.Len(t, res.Blocks, 1)
			assert.Equal(t, tt.code, res.Blocks[0].ExitCode)
			assert.Equal(t, tt.out, res.Blocks[0].Output)
		})
	}

	// Same environment: the shell sees the kernel's working directory and
	// its environment variables.
	res := run(t, e,
		py("import os\nos.environ['PARLEY_T'] = 'v1'\nprint(os.getcwd())"),
		executors.CodeBlock{Language: "sh", Code: "pwd; echo $PARLEY_T"})
	require.True(t, res.Succeeded(), "%+v", res)
	assert.Equal(t, res.Blocks[0].Output+"v1\n", res.Blocks[1].Output)
}

func TestShellTimeoutStopsTheShell(t *testing.T) {
	e := newExec(t, Config{Limits: executors.Limits{Timeout: time.Second}})
	res := run(t, e, executors.CodeBlock{Language: "sh", Code: "echo start; sleep 600"})
	require.Len(t, res.Blocks, 1)
	assert.True(t, res.Blocks[0].TimedOut)
	assert.Contains(t, res.Blocks[0].Output, "start")
	res = run(t, e, py("print('alive')"))
	assert.Equal(t, "alive\n", res.Blocks[0].Output)
}

func TestOutputIsCapped(t *testing.T) {
	e := newExec(t, Config{Limits: executors.Limits{OutputBytes: 1000}})
	res := run(t, e, py("for i in range(2000):\n    print('line', i)\nprint('the end')"))
	b := res.Blocks[0]
	require.True(t, b.Succeeded())
	assert.True(t, b.Truncated)
	assert.Less(t, len(b.Output), 1200)
	assert.Greater(t, b.OutputBytes, int64(10000))
	assert.Contains(t, b.Output, "output truncated")
	assert.True(t, strings.HasSuffix(b.Output, "the end\n"), "the tail is kept")
}

func TestUnsupportedLanguage(t *testing.T) {
	e := newExec(t, Config{})
	res := run(t, e, executors.CodeBlock{Language: "cobol", Code: "DISPLAY 'HI'."}, py("print(1)"))
	require.Len(t, res.Blocks, 1)
	assert.Equal(t, 1, res.Blocks[0].ExitCode)
	assert.Contains(t, res.Blocks[0].Output, `unknown language "cobol"`)
	assert.Contains(t, res.Blocks[0].Output, "python")
	assert.Len(t, res.NotRun, 1)
}

func TestFilenameHintSavesCode(t *testing.T) {
	dir := t.TempDir()
	needJupyter(t)
	// Filename hints need a local server whose root is the work dir.
	e, err := New(context.Background(), Config{WorkDir: dir})
	require.NoError(t, err)
	defer e.Close()
	res := run(t, e,
		executors.CodeBlock{Language: "python", Code: "def f():\n    return 5\n", Filename: "lib/mod.py"},
		py("import sys; sys.path.insert(0, 'lib'); import mod; print(mod.f())"),
		executors.CodeBlock{Language: "python", Code: "print(1)", Filename: "../escape.py"},
	)
	require.Len(t, res.Blocks, 3)
	assert.Equal(t, filepath.Join(dir, "lib", "mod.py"), res.Blocks[0].CodeFile)
	assert.Equal(t, "5\n", res.Blocks[1].Output)
	assert.Equal(t, 1, res.Blocks[2].ExitCode)
	assert.Contains(t, res.Blocks[2].Output, "escapes the work dir")
	assert.NoFileExists(t, filepath.Join(filepath.Dir(dir), "escape.py"))
}

// connKiller is an HTTP client whose connections a test can cut.
type connKiller struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (k *connKiller) client() *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err == nil {
			k.mu.Lock()
			k.conns = append(k.conns, c)
			k.mu.Unlock()
		}
		return c, err
	}}}
}

func (k *connKiller) killAll() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, c := range k.conns {
		_ = c.Close()
	}
	n := len(k.conns)
	k.conns = nil
	return n
}

func TestDroppedWebsocketReconnects(t *testing.T) {
	var k connKiller
	e := newExec(t, Config{HTTPClient: k.client()})
	res := run(t, e, py("w = 'kept'"))
	require.True(t, res.Succeeded())

	t.Run("between blocks", func(t *testing.T) {
		require.Positive(t, k.killAll())
		res := run(t, e, py("print(w)"))
		require.True(t, res.Succeeded(), "%+v", res)
		assert.Equal(t, "kept\n", res.Blocks[0].Output)
	})
	t.Run("during a block", func(t *testing.T) {
		go func() {
			time.Sleep(700 * time.Millisecond)
			k.killAll()
		}()
		res := run(t, e, py("import time\nprint('a', flush=True)\ntime.sleep(2)\nprint('b')\nw2 = 1"))
		require.Len(t, res.Blocks, 1)
		res = run(t, e, py("print(w, w2)"))
		require.True(t, res.Succeeded(), "%+v", res)
		assert.Equal(t, "kept 1\n", res.Blocks[0].Output)
	})
}

func TestBadURLIsAClearError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there now
	_, err = New(context.Background(), Config{URL: url, Token: "x"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), url)
	assert.Contains(t, err.Error(), "no usable Jupyter server")

	_, err = New(context.Background(), Config{URL: "ftp://example.invalid"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad server URL")
}

func TestWrongTokenIsAClearError(t *testing.T) {
	srv := sharedServer(t)
	_, err := New(context.Background(), Config{URL: srv.URL(), Token: "wrong"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refused the token")
}

func TestCloseLeavesNothingRunning(t *testing.T) {
	needJupyter(t)
	e, err := New(context.Background(), Config{})
	require.NoError(t, err)
	res := run(t, e, py("print('up')"), executors.CodeBlock{Language: "sh", Code: "sleep 300 >/dev/null 2>&1 &"})
	require.True(t, res.Succeeded(), "%+v", res)
	pid := e.server.Pid()
	require.Positive(t, pid)
	kids := descendants(pid)
	require.NotEmpty(t, kids, "the kernel runs under the server")
	workDir := e.workDir

	require.NoError(t, e.Close())
	require.NoError(t, e.Close(), "Close is idempotent")
	assert.False(t, alive(procInfo{pid: pid, start: startOf(t, pid)}), "server process gone")
	for _, p := range allProcs() {
		assert.NotEqual(t, pid, p.pgid, "process %d left in the server's group", p.pid)
	}
	for _, k := range kids {
		assert.False(t, alive(k), "kernel process %d left running", k.pid)
	}
	assert.NoDirExists(t, workDir)
	_, err = e.Execute(context.Background(), []executors.CodeBlock{py("1")})
	assert.ErrorIs(t, err, executors.ErrClosed)
}

func startOf(t *testing.T, pid int) string {
	p, ok := readProc(pid)
	if !ok {
		return "gone"
	}
	return p.start
}

func TestStripANSI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x1b[0;31mZeroDivisionError\x1b[0m: x", "ZeroDivisionError: x"},
		{"\x1b]8;;http://x\x07link\x1b]8;;\x07", "link"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, stripANSI(tt.in))
	}
}

func TestMemoryLimitStopsHugeAllocations(t *testing.T) {
	e := newExec(t, Config{})
	res := run(t, e, py("x = 41"), py("big = bytearray(2 << 30)"))
	require.Len(t, res.Blocks, 2)
	assert.False(t, res.Blocks[1].Succeeded())
	assert.Contains(t, res.Blocks[1].Output, "MemoryError")
	res = run(t, e, py("print(x + 1)"))
	assert.Equal(t, "42\n", res.Blocks[0].Output, "the kernel survives and keeps its state")
}

func TestLocalServerGetsTheMemoryLimit(t *testing.T) {
	needJupyter(t)
	e, err := New(context.Background(), Config{Limits: executors.Limits{MemoryBytes: 300 << 20}})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, e.Close()) })
	res := run(t, e, py("import resource; print(resource.getrlimit(resource.RLIMIT_DATA)[0] // (1 << 20))"))
	require.True(t, res.Succeeded(), res.Blocks[0].Output)
	assert.Equal(t, "300\n", res.Blocks[0].Output)
}

// Blocks carry canonical language names (markdown.CanonicalLanguage); a
// Python kernel also runs sh and bash blocks, any other kernel only its own
// language.
func TestCellLanguages(t *testing.T) {
	tests := []struct {
		kernel, block string
		ok, shell     bool
	}{
		{kernel: "python", block: "python", ok: true},
		{kernel: "python", block: " Python ", ok: true},
		{kernel: "python", block: "sh", ok: true, shell: true},
		{kernel: "python", block: "bash", ok: true, shell: true},
		{kernel: "python", block: ""},
		{kernel: "python", block: "javascript"},
		{kernel: "python", block: "py", ok: true},
		{kernel: "python", block: "python3", ok: true},
		{kernel: "r", block: "r", ok: true},
		{kernel: "r", block: "sh"},
		{kernel: "r", block: "python"},
	}
	for _, tt := range tests {
		e := &Executor{lang: tt.kernel}
		code, status, ok := e.cell(executors.CodeBlock{Language: tt.block, Code: "x"})
		assert.Equal(t, tt.ok, ok, "%s kernel, %q block", tt.kernel, tt.block)
		switch {
		case !tt.ok:
		case tt.shell:
			assert.Equal(t, shellStatusVar, status, "%s kernel, %q block", tt.kernel, tt.block)
			assert.Contains(t, code, "_parley_sh(\""+strings.TrimSpace(tt.block)+"\"")
		default:
			assert.Equal(t, "x", code, "%s kernel, %q block", tt.kernel, tt.block)
			assert.Empty(t, status)
		}
	}
}

// A write that is the first to find the connection gone dials again and
// resends, so the message reaches the kernel exactly once.
func TestDeliverResendsAfterADroppedConnection(t *testing.T) {
	got := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		for {
			_, data, err := ws.Read(r.Context())
			if err != nil {
				return
			}
			got <- string(data)
		}
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c := newChannels(url, nil, srv.Client(), slog.New(slog.DiscardHandler))
	defer c.close()
	// A connection that has dropped before its reader noticed: none runs.
	stale, _, err := websocket.Dial(ctx, url, nil)
	require.NoError(t, err)
	require.NoError(t, stale.CloseNow())
	staleBroken := make(chan struct{})
	c.ws, c.broken = stale, staleBroken

	m, err := c.request("kernel_info_request", "shell", struct{}{}, nil)
	require.NoError(t, err)
	broken, err := c.deliver(ctx, m)
	require.NoError(t, err)
	assert.NotEqual(t, (<-chan struct{})(staleBroken), broken, "the new connection's channel is returned")
	select {
	case data := <-got:
		assert.Contains(t, data, m.Header.MsgID)
	case <-ctx.Done():
		t.Fatal("the message was not resent on a new connection")
	}
	assert.Empty(t, got, "the message arrived once")
}
