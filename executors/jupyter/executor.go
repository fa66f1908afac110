package jupyter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parley-go/parley/executors"
)

// Config configures an [Executor].
type Config struct {
	// URL is the base URL (http or https) of a Jupyter Server, Kernel
	// Gateway or Enterprise Gateway. Empty means the environment variable
	// PARLEY_JUPYTER_URL, and when that is empty too, a local server that
	// New starts and Close stops.
	URL string
	// Token authenticates to URL. Empty means PARLEY_JUPYTER_TOKEN, then
	// JUPYTER_TOKEN. Ignored for a local server, which gets a random one.
	Token string
	// KernelName is the kernelspec to start. Default "python3".
	KernelName string
	// OutputDir is where rich outputs (plots, HTML) are saved. Default
	// WorkDir.
	OutputDir string
	// WorkDir is the local server's root and its kernel's working
	// directory, and where filename hints are saved. Empty means a fresh
	// temporary directory that Close removes (with the rich outputs saved
	// in it, unless OutputDir is set).
	WorkDir string
	// Limits bound each block. Timeout and OutputBytes are enforced; the
	// others are not (see the package documentation).
	Limits executors.Limits
	// JupyterCommand is the jupyter executable for a local server.
	// Default: FindJupyter.
	JupyterCommand string
	// HTTPClient is used for REST calls and websockets. Default: a client
	// without a timeout (calls are bounded by contexts) that, on Linux,
	// sends TCP quick ACKs to avoid a 40 ms Nagle stall per cell.
	HTTPClient *http.Client
	// Logger receives life-cycle events. Nil discards them.
	Logger *slog.Logger
}

// Executor runs code blocks in one Jupyter kernel, so state persists from
// block to block and from one Execute call to the next until Restart. It is
// safe for concurrent use; Execute calls are serialised.
type Executor struct {
	rest     *rest
	server   *Server // nil when using someone else's server
	hc       *http.Client
	log      *slog.Logger
	kernel   string
	workDir  string
	workTmp  bool
	outDir   string
	limits   executors.Limits
	closeCtx context.Context
	stopAll  context.CancelFunc

	mu       sync.Mutex // serialises everything below and all kernel use
	closed   bool
	kernelID string
	lang     string
	ch       *channels
	stale    bool // the kernel died: replace it before the next block
	fileSeq  int
}

var _ executors.Executor = (*Executor)(nil)

// New returns an executor. Without a URL it starts a local Jupyter Server
// eagerly (a few seconds), so that a missing installation is reported here
// rather than at the first block; with a URL it checks that a server answers
// there. The kernel itself starts lazily, at the first block.
func New(ctx context.Context, cfg Config) (_ *Executor, err error) {
	e := &Executor{hc: cfg.HTTPClient, log: cfg.Logger, kernel: cfg.KernelName, limits: cfg.Limits.WithDefaults()}
	if e.hc == nil {
		e.hc = defaultHTTPClient()
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.kernel == "" {
		e.kernel = "python3"
	}
	e.closeCtx, e.stopAll = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			_ = e.Close()
		}
	}()

	e.workDir = cfg.WorkDir
	if e.workDir == "" {
		if e.workDir, err = os.MkdirTemp("", "parley-jupyter-work-"); err != nil {
			return nil, fmt.Errorf("jupyter: create work dir: %w", err)
		}
		e.workTmp = true
	} else if err = os.MkdirAll(e.workDir, 0o755); err != nil {
		return nil, fmt.Errorf("jupyter: create work dir: %w", err)
	}
	if e.workDir, err = filepath.Abs(e.workDir); err != nil {
		return nil, fmt.Errorf("jupyter: work dir: %w", err)
	}
	e.outDir = cfg.OutputDir
	if e.outDir == "" {
		e.outDir = e.workDir
	}
	if err = os.MkdirAll(e.outDir, 0o755); err != nil {
		return nil, fmt.Errorf("jupyter: create output dir: %w", err)
	}

	url, token := cfg.URL, cfg.Token
	if url == "" {
		url = os.Getenv("PARLEY_JUPYTER_URL")
	}
	if url == "" {
		srv, err := StartServer(ctx, ServerConfig{Command: cfg.JupyterCommand, RootDir: e.workDir, MemoryBytes: e.limits.MemoryBytes, Logger: e.log})
		if err != nil {
			return nil, err
		}
		e.server = srv
		url, token = srv.URL(), srv.Token()
	} else if token == "" {
		if token = os.Getenv("PARLEY_JUPYTER_TOKEN"); token == "" {
			token = os.Getenv("JUPYTER_TOKEN")
		}
	}
	if e.rest, err = newRest(url, token, e.hc); err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err = e.rest.ping(pctx, e.kernel); err != nil {
		return nil, fmt.Errorf("jupyter: no usable Jupyter server at %s: %w", url, err)
	}
	return e, nil
}

// Execute runs blocks in order in the kernel and stops at the first block
// that fails. Python blocks are notebook cells; sh and bash blocks run in the
// kernel's environment and working directory. The returned error is for
// failures of the executor itself (no server, a kernel that cannot start).
func (e *Executor) Execute(ctx context.Context, blocks []executors.CodeBlock) (executors.Result, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var res executors.Result
	if e.closed {
		return res, executors.ErrClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(e.closeCtx, cancel)()

	for i, b := range blocks {
		br, err := e.runBlock(ctx, b)
		res.Blocks = append(res.Blocks, br)
		if err != nil {
			res.NotRun = append(res.NotRun, blocks[i+1:]...)
			if e.closeCtx.Err() != nil {
				err = fmt.Errorf("jupyter: %w", executors.ErrClosed)
			}
			return res, err
		}
		if !br.Succeeded() {
			res.NotRun = append(res.NotRun, blocks[i+1:]...)
			break
		}
	}
	return res, nil
}

// Restart gives the next block a fresh kernel state: it restarts the
// kernel (POST /api/kernels/{id}/restart) and reconnects.
func (e *Executor) Restart(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return executors.ErrClosed
	}
	return e.restartLocked(ctx)
}

func (e *Executor) restartLocked(ctx context.Context) error {
	if e.kernelID == "" || e.stale {
		return nil // the next block starts a new kernel anyway
	}
	if err := e.rest.restartKernel(ctx, e.kernelID); err != nil {
		if isNotFound(err) {
			e.stale = true
			return nil
		}
		return fmt.Errorf("jupyter: restart kernel: %w", err)
	}
	e.ch.close()
	e.ch = newChannels(e.rest.wsURL(e.kernelID, newID()), e.rest.header(), e.hc, e.log)
	kctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := e.ch.kernelInfo(kctx); err != nil {
		e.stale = true
		return fmt.Errorf("jupyter: kernel did not come back after restart: %w", err)
	}
	e.log.Info("jupyter kernel restarted", "kernel", e.kernelID)
	return nil
}

// Close deletes the kernel, stops a local server we started (with every
// process it started) and removes a temporary work dir. It is safe to call
// more than once; it interrupts a running Execute.
func (e *Executor) Close() error {
	e.stopAll()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	var errs []error
	if e.ch != nil {
		e.ch.close()
	}
	if e.kernelID != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := e.rest.deleteKernel(ctx, e.kernelID); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("jupyter: delete kernel: %w", err))
		}
		cancel()
		e.kernelID = ""
	}
	if e.server != nil {
		errs = append(errs, e.server.Close())
	}
	if e.workTmp {
		if err := os.RemoveAll(e.workDir); err != nil {
			errs = append(errs, fmt.Errorf("jupyter: remove work dir: %w", err))
		}
	}
	return errors.Join(errs...)
}

// ensureKernel starts a kernel if there is none (or the last one died) and
// waits until it answers.
func (e *Executor) ensureKernel(ctx context.Context) error {
	if e.kernelID != "" && !e.stale {
		return nil
	}
	if e.kernelID != "" {
		e.ch.close()
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := e.rest.deleteKernel(dctx, e.kernelID); err != nil && !isNotFound(err) {
			e.log.Warn("jupyter: delete dead kernel", "kernel", e.kernelID, "err", err)
		}
		cancel()
		e.kernelID, e.ch, e.stale = "", nil, false
	}
	kctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	k, err := e.rest.startKernel(kctx, e.kernel)
	if err != nil {
		return fmt.Errorf("jupyter: start a %q kernel: %w", e.kernel, err)
	}
	e.kernelID = k.ID
	e.ch = newChannels(e.rest.wsURL(k.ID, newID()), e.rest.header(), e.hc, e.log)
	lang, err := e.ch.kernelInfo(kctx)
	if err != nil {
		e.stale = true
		return fmt.Errorf("jupyter: kernel %s did not become ready: %w", k.ID, err)
	}
	e.lang = strings.ToLower(lang)
	e.log.Info("jupyter kernel started", "kernel", k.ID, "name", e.kernel, "language", e.lang)
	return nil
}
