// Package local provides the "commandline-local" executor: it runs code
// blocks as processes on this machine, the way AutoGen's
// LocalCommandLineCodeExecutor does, behind the guards a security boundary
// needs.
//
// Each block's code is saved to a file in the work dir (under its filename
// hint, or tmp_code_<hash>.<ext>) and run by the language's interpreter with
// the work dir as its current directory; CodeBlock.Stdin is its standard
// input (/dev/null when empty). Blocks run in order and the first failing
// block stops the run; the rest are reported in Result.NotRun. Interpreters
// are looked up on our PATH once, in New.
//
// # What a block cannot do
//
// Children get a minimal environment: PATH, HOME, LANG and TMPDIR (taken from
// ours, with fallbacks), PYTHONUNBUFFERED=1, the variables named in
// Config.AllowEnv and those set in Config.Env. Nothing else of our
// environment (API keys, cloud credentials) is inherited.
//
// Stdout and stderr share one pipe, so they stay in the order they were
// written, and are kept up to Limits.OutputBytes by an
// executors.CappedOutput; beyond that the executor keeps draining and drops
// bytes, so a flood never grows our memory. A negative OutputBytes is read as
// the default: the local executor always caps output.
//
// A block ends when its main process exits or its deadline (the earlier of
// the context's deadline and Limits.Timeout; a negative Timeout leaves only
// the context's) passes. A block stopped at its deadline is reported with
// TimedOut and executors.TimeoutExitCode and keeps the output printed before.
// Either way everything the block started is killed before Execute moves on,
// so a background child holding the output pipe open cannot make a block
// hang:
//
//   - every Unix: the block runs in its own process group, which is sent
//     SIGKILL;
//   - Linux, in addition: the main process gets PR_SET_PDEATHSIG (SIGKILL)
//     so it dies with us; the group kill happens while the main process is
//     an unreaped zombie, so its group id cannot have been reused; every
//     block carries a random token in its environment (PARLEY_BLOCK_TOKEN)
//     and /proc/*/environ is swept for it, killing matches (through pidfds,
//     immune to pid reuse) until none remain, which catches processes that
//     left the group with setsid or a double fork;
//   - Linux, when we may create cgroups in a cgroup v1 pids hierarchy
//     (typically as root): each block gets its own pids cgroup, whose
//     members are killed too. A process can leave it only by writing to
//     another cgroup, which needs root; with the cgroup the sweep looks only
//     at pids allocated since the block started, without it at every
//     process.
//
// What escapes: a process that leaves the group, wipes or replaces its
// environment and, where a cgroup is used, moves itself to another cgroup
// (root only); and anything still running if our own process is SIGKILLed
// (only the main process has Pdeathsig). Code run as root can also kill or
// trace us: do not run untrusted code as root.
//
// # Resource limits
//
// On Linux, limits are set race-free before any code of the block runs: the
// block is started as /bin/sh -c '[join cgroup;] ulimit ...; exec "$0" "$@"'
// (sh blocks are sourced by that shell instead, saving an exec; only the
// prefix of sh's own error messages differs), so the interpreter and
// everything it starts inherit them.
//
//   - Limits.MemoryBytes: RLIMIT_AS (address space) and RLIMIT_DATA. For
//     javascript only RLIMIT_DATA is set, because V8 reserves gigabytes of
//     address space up front and node cannot start under RLIMIT_AS.
//   - Limits.CPUTime: RLIMIT_CPU, per process, rounded up to whole seconds;
//     the process is killed by SIGKILL (or SIGXCPU) when it is used up.
//   - Limits.Processes: RLIMIT_NPROC. The kernel does not enforce
//     RLIMIT_NPROC for root (or processes with CAP_SYS_RESOURCE or
//     CAP_SYS_ADMIN), and for other users it counts all their tasks, not the
//     block's: so for non-root users the limit is set to Processes plus the
//     tasks the user already runs. When a pids cgroup could be created
//     (cgroup v1 with a writable pids hierarchy, usually as root), pids.max is
//     set to Processes, which binds root too. As root without that cgroup a
//     fork bomb is bounded only by the block's deadline, then killed.
//
// Limits are lowered to our own hard limits where those are stricter. Hard
// limits are set too, but root can raise them again. A negative field leaves
// that limit unset. cgroup v2 is not used.
//
// On other Unix systems (macOS, the BSDs) only the process group kill and the
// deadline are enforced: no resource limits, no sweep, no Pdeathsig, and the
// group is killed just after the main process is reaped. The package does
// not run blocks on non-Unix systems (New returns an error).
package local

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/parley-go/parley/executors"
)

// Config configures an Executor.
type Config struct {
	// WorkDir is where code files are written and programs run. Empty means
	// a fresh temporary directory, removed on Close; a given directory is
	// created if needed and never removed.
	WorkDir string
	// Limits bound each block; zero fields take executors.DefaultLimits().
	Limits executors.Limits
	// AllowEnv names variables of our own environment that children may
	// inherit besides the minimal set (PATH, HOME, LANG, TMPDIR).
	AllowEnv []string
	// Env holds extra variables set explicitly for children. They override
	// inherited ones.
	Env map[string]string
	// Logger receives block start, finish and kill events; nil discards.
	Logger *slog.Logger
}

// Executor runs code blocks as local processes. It is safe for concurrent
// use: many chats may share one executor and its work dir.
type Executor struct {
	workDir string
	ownsDir bool
	root    *os.Root
	limits  executors.Limits
	env     []string
	langs   map[string]language
	log     *slog.Logger
	sandbox *sandbox

	mu      sync.Mutex
	closed  bool
	running map[*runningBlock]struct{}
}

var _ executors.Executor = (*Executor)(nil)

// New returns an executor working in cfg.WorkDir. It fails when the work dir
// cannot be created or is not a directory.
func New(cfg Config) (*Executor, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := platformSupported(); err != nil {
		return nil, err
	}
	dir, owns, err := prepareWorkDir(cfg.WorkDir)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		if owns {
			_ = os.RemoveAll(dir)
		}
		return nil, fmt.Errorf("local executor: cannot open work dir %q: %w", dir, err)
	}
	langs := findLanguages()
	e := &Executor{
		workDir: dir,
		ownsDir: owns,
		root:    root,
		limits:  cfg.Limits.WithDefaults(),
		env:     childEnv(cfg.AllowEnv, cfg.Env, dir),
		langs:   langs,
		log:     log,
		running: make(map[*runningBlock]struct{}),
		sandbox: newSandbox(log, langs["sh"].interp),
	}
	log.Debug("local executor ready", "work_dir", dir, "languages", e.Languages(),
		"limits", e.limits.String(), "isolation", e.sandbox.describe())
	return e, nil
}

func prepareWorkDir(dir string) (path string, owns bool, err error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "parley-local-")
		if err != nil {
			return "", false, fmt.Errorf("local executor: cannot create a temporary work dir: %w: set TMPDIR to a writable directory or set Config.WorkDir", err)
		}
		return d, true, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false, fmt.Errorf("local executor: work dir %q: %w", dir, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return "", false, fmt.Errorf("local executor: work dir %q is not a directory: choose a directory for Config.WorkDir", abs)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", false, fmt.Errorf("local executor: cannot create work dir %q: %w: choose a writable directory for Config.WorkDir", abs, err)
	}
	return abs, false, nil
}

// WorkDir returns the directory where code is saved and run.
func (e *Executor) WorkDir() string { return e.workDir }

// Languages returns the canonical names of the languages whose interpreter
// was found when the executor was created, sorted.
func (e *Executor) Languages() []string {
	names := make([]string, 0, len(e.langs))
	for name := range e.langs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Execute runs blocks in order and stops at the first block that fails;
// blocks after it are listed in Result.NotRun. A block that fails, times out,
// is in an unsupported language or has a refused filename is reported in the
// Result. The error is non-nil only when the executor is closed
// (executors.ErrClosed) or ctx is cancelled (ctx.Err()); the results of the
// blocks that ran are returned with it. A ctx deadline is the block's
// deadline: a block stopped by it is reported as timed out.
func (e *Executor) Execute(ctx context.Context, blocks []executors.CodeBlock) (executors.Result, error) {
	var res executors.Result
	for i, b := range blocks {
		if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			res.NotRun = slices.Clone(blocks[i:])
			return res, fmt.Errorf("local executor: %w", err)
		}
		r, err := e.register()
		if err != nil {
			res.NotRun = slices.Clone(blocks[i:])
			return res, err
		}
		br, err := e.runBlock(ctx, r, b)
		e.unregister(r)
		res.Blocks = append(res.Blocks, br)
		if err != nil {
			res.NotRun = notRun(blocks[i+1:])
			return res, err
		}
		if !br.Succeeded() {
			res.NotRun = notRun(blocks[i+1:])
			break
		}
	}
	return res, nil
}

func notRun(rest []executors.CodeBlock) []executors.CodeBlock {
	if len(rest) == 0 {
		return nil
	}
	return slices.Clone(rest)
}

// Restart kills every block running in this executor (in all concurrent
// Execute calls) and waits until they are gone. There is no other state to
// reset: files in the work dir are kept.
func (e *Executor) Restart(ctx context.Context) error {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return executors.ErrClosed
	}
	return e.stopAll(ctx, "the executor was restarted")
}

// Close kills every running block, waits until they are gone, and removes
// the work dir if the executor created it. It is safe to call more than
// once.
func (e *Executor) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()

	errs := []error{e.stopAll(context.Background(), "the executor was closed")}
	errs = append(errs, e.sandbox.close(), e.root.Close())
	if e.ownsDir {
		if err := os.RemoveAll(e.workDir); err != nil {
			errs = append(errs, fmt.Errorf("local executor: remove work dir: %w", err))
		}
	}
	e.log.Debug("local executor closed", "work_dir", e.workDir)
	return errors.Join(errs...)
}

// runningBlock lets Restart and Close stop a block and wait for its
// clean-up.
type runningBlock struct {
	once   sync.Once
	stop   chan struct{}
	reason string
	done   chan struct{}
}

func (r *runningBlock) halt(reason string) {
	r.once.Do(func() {
		r.reason = reason
		close(r.stop)
	})
}

func (e *Executor) register() (*runningBlock, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, executors.ErrClosed
	}
	r := &runningBlock{stop: make(chan struct{}), done: make(chan struct{})}
	e.running[r] = struct{}{}
	return r, nil
}

func (e *Executor) unregister(r *runningBlock) {
	e.mu.Lock()
	delete(e.running, r)
	e.mu.Unlock()
	close(r.done)
}

func (e *Executor) stopAll(ctx context.Context, reason string) error {
	e.mu.Lock()
	list := make([]*runningBlock, 0, len(e.running))
	for r := range e.running {
		list = append(list, r)
	}
	e.mu.Unlock()
	if len(list) > 0 {
		e.log.Info("stopping running blocks", "count", len(list), "reason", reason)
	}
	for _, r := range list {
		r.halt(reason)
	}
	for _, r := range list {
		select {
		case <-r.done:
		case <-ctx.Done():
			return fmt.Errorf("local executor: waiting for blocks to stop: %w", ctx.Err())
		}
	}
	return nil
}
