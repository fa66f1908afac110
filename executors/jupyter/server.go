package jupyter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/parley-go/parley/executors"
)

// ServerConfig configures a local Jupyter Server started by [StartServer].
type ServerConfig struct {
	// Command is the jupyter executable. Empty means FindJupyter.
	Command string
	// RootDir is the server's root directory, which is also the working
	// directory of its kernels. Empty means a fresh temporary directory
	// removed by Close.
	RootDir string
	// Env lists extra KEY=value pairs for the server and its kernels. Our
	// own environment is not inherited beyond PATH, HOME, locale and time
	// zone, so that secrets such as API keys do not reach executed code.
	Env []string
	// MemoryBytes, when positive, caps the data memory (RLIMIT_DATA: heap
	// and private mappings) of the server and of every kernel it starts,
	// which inherit it: a block that allocates more gets a MemoryError
	// instead of taking the machine's memory. RLIMIT_AS is not used because
	// OpenBLAS, loaded by numpy, reserves address space it never touches
	// and then fails to load under it. Unix only.
	MemoryBytes int64
	// StartTimeout bounds how long StartServer waits for the server to
	// answer. Zero means one minute.
	StartTimeout time.Duration
	// Logger receives the server's life-cycle events. Nil discards them.
	Logger *slog.Logger
}

// Server is a Jupyter Server process we started. It listens on 127.0.0.1
// only, on a free port, and accepts only its random token.
type Server struct {
	url     string
	token   string
	cmd     *exec.Cmd
	log     *slog.Logger
	output  *executors.CappedOutput
	exited  chan struct{} // closed when the process has been waited for
	tempDir string        // private runtime dir (config, connection files)
	rootTmp string        // root dir we created, removed on Close

	closeOnce sync.Once
	closeErr  error
}

// FindJupyter returns a jupyter executable that has the `server`
// subcommand, preferring Debian's /usr/bin/jupyter (whose python3 kernel
// has ipykernel) over whatever comes first on PATH.
func FindJupyter() (string, error) {
	candidates := []string{"/usr/bin/jupyter"}
	if p, err := exec.LookPath("jupyter"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		dir := filepath.Dir(c)
		if _, err := os.Stat(filepath.Join(dir, "jupyter-server")); err == nil {
			if _, err := os.Stat(c); err == nil {
				return c, nil
			}
		}
	}
	return "", errors.New("jupyter: no `jupyter` command with the server subcommand found (looked for /usr/bin/jupyter and jupyter on PATH): run scripts/setup-jupyter.sh or install jupyter-server, or set Config.URL to a running server")
}

// StartServer starts `jupyter server` on 127.0.0.1 with a free port and a
// random token, in its own process group, and waits until GET /api answers.
// Close stops it and every kernel it started.
func StartServer(ctx context.Context, cfg ServerConfig) (_ *Server, err error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	command := cfg.Command
	if command == "" {
		if command, err = FindJupyter(); err != nil {
			return nil, err
		}
	}
	timeout := cfg.StartTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}

	s := &Server{log: log, exited: make(chan struct{}), output: executors.NewCappedOutput(32 << 10)}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()

	// A private directory holds what must not be shared: the config file
	// carrying the token (removed once the server has read it) and the
	// kernels' connection files with their HMAC keys.
	if s.tempDir, err = os.MkdirTemp("", "parley-jupyter-"); err != nil {
		return nil, fmt.Errorf("jupyter: create runtime dir: %w", err)
	}
	root := cfg.RootDir
	if root == "" {
		if root, err = os.MkdirTemp("", "parley-jupyter-root-"); err != nil {
			return nil, fmt.Errorf("jupyter: create root dir: %w", err)
		}
		s.rootTmp = root
	}
	if root, err = filepath.Abs(root); err != nil {
		return nil, fmt.Errorf("jupyter: root dir: %w", err)
	}

	tok := make([]byte, 24)
	if _, err := rand.Read(tok); err != nil {
		return nil, fmt.Errorf("jupyter: random token: %w", err)
	}
	s.token = hex.EncodeToString(tok)

	// The token goes into a config file rather than argv (readable by every
	// user in /proc) or the environment (inherited by kernels).
	confPath := filepath.Join(s.tempDir, "jupyter_server_config.json")
	conf, _ := json.Marshal(map[string]any{"ServerApp": map[string]any{"token": s.token}})
	if err := os.WriteFile(confPath, conf, 0o600); err != nil {
		return nil, fmt.Errorf("jupyter: write server config: %w", err)
	}
	runtimeDir := filepath.Join(s.tempDir, "runtime")
	if err := os.Mkdir(runtimeDir, 0o700); err != nil {
		return nil, fmt.Errorf("jupyter: create runtime dir: %w", err)
	}

	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("jupyter: find a free port: %w", err)
	}
	s.url = "http://127.0.0.1:" + strconv.Itoa(port)

	args := []string{"server",
		"--config=" + confPath,
		"--no-browser",
		"--ServerApp.ip=127.0.0.1",
		"--ServerApp.port=" + strconv.Itoa(port),
		"--ServerApp.port_retries=0",
		"--ServerApp.root_dir=" + root,
	}
	if os.Geteuid() == 0 {
		// Jupyter refuses root unless told; containers and CI run as root.
		args = append(args, "--allow-root")
	}
	s.cmd = exec.Command(command, args...)
	if cfg.MemoryBytes > 0 {
		// The shell sets the limit and execs the server in place (same
		// pid), so the limit holds before any code of ours or a kernel's
		// runs; kernels are the server's children and inherit it.
		kb := (cfg.MemoryBytes + 1023) / 1024
		s.cmd = exec.Command("/bin/sh", append([]string{"-c", `ulimit -d "$1" && shift && exec "$@"`, "sh", strconv.FormatInt(kb, 10), command}, args...)...)
	}
	s.cmd.Dir = root
	s.cmd.Env = serverEnv(runtimeDir, cfg.Env)
	s.cmd.Stdout = s.output
	s.cmd.Stderr = s.output
	s.cmd.SysProcAttr = serverSysProcAttr()
	if err := s.cmd.Start(); err != nil {
		s.cmd = nil
		return nil, fmt.Errorf("jupyter: start %s server: %w", command, err)
	}
	log.Debug("jupyter server starting", "pid", s.cmd.Process.Pid, "url", s.url, "root", root)
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()

	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := s.waitReady(waitCtx); err != nil {
		return nil, err
	}
	_ = os.Remove(confPath)
	log.Info("jupyter server started", "pid", s.cmd.Process.Pid, "url", s.url)
	return s, nil
}

func (s *Server) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/api/kernelspecs", nil)
		req.Header.Set("Authorization", "token "+s.token)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("jupyter: server exited before answering (%s); its output:\n%s", s.cmd.ProcessState, s.output)
		case <-ctx.Done():
			return fmt.Errorf("jupyter: server at %s did not answer in time: %w; its output:\n%s", s.url, ctx.Err(), s.output)
		case <-tick.C:
		}
	}
}

// URL is the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// Token is the server's random token.
func (s *Server) Token() string { return s.token }

// Pid is the server's process id, which is also its process group id.
func (s *Server) Pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Close stops the server: SIGTERM to its process group (the server then
// shuts its kernels down), SIGKILL after a grace period, and SIGKILL to
// every kernel process that is still alive, since kernels run in process
// groups of their own. It removes the directories StartServer created. It is
// safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			pid := s.cmd.Process.Pid
			// Kernels are reparented once the server dies, so note them
			// while they are still its descendants.
			kids := descendants(pid)
			_ = syscall.Kill(-pid, syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(5 * time.Second):
				s.log.Warn("jupyter server ignored SIGTERM; killing it", "pid", pid)
				_ = syscall.Kill(-pid, syscall.SIGKILL)
				<-s.exited
			}
			_ = syscall.Kill(-pid, syscall.SIGKILL) // stragglers in the server's group
			killAll(append(kids, descendantsOfGroups(kids)...))
			s.log.Info("jupyter server stopped", "pid", pid)
		}
		for _, d := range []string{s.tempDir, s.rootTmp} {
			if d == "" {
				continue
			}
			if err := os.RemoveAll(d); err != nil && s.closeErr == nil {
				s.closeErr = fmt.Errorf("jupyter: remove %s: %w", d, err)
			}
		}
	})
	return s.closeErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// serverEnv is the minimal environment of the server and its kernels.
func serverEnv(runtimeDir string, extra []string) []string {
	env := []string{
		"JUPYTER_RUNTIME_DIR=" + runtimeDir,
		// ipykernel's debugger otherwise warns about frozen modules on
		// every kernel start.
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
	}
	for _, k := range []string{"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	if _, ok := os.LookupEnv("PATH"); !ok {
		env = append(env, "PATH=/usr/local/bin:/usr/bin:/bin")
	}
	return append(env, extra...)
}
