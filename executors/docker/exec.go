package docker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
	"github.com/parley-go/parley/executors"
)

// wrapperScript runs one block as the sandbox user: $1 is the in-container
// fallback timeout in seconds ("0" for none), the rest is the command. When
// the command ends, kill -9 -1 kills every other process of the sandbox user
// (background jobs the block left); PID 1 and the sleeper, which run as
// another user, are spared. timeout(1) forks before the code runs, so it can
// still stop a fork bomb that holds every pid the host side could use.
// stderr is joined to stdout inside the container: the engine reads the two
// pipes separately, so only one pipe keeps the order things were written in.
const wrapperScript = `exec 2>&1
t=$1; shift
if ! command -v "$1" >/dev/null 2>&1; then
	echo "parley: $1 is not installed in this image; use an image that has it (Config.Image)" >&2
	exit 127
fi
if [ "$t" != 0 ] && command -v timeout >/dev/null 2>&1; then
	timeout -s KILL "$t" "$@"
else
	"$@"
fi
rc=$?
kill -9 -1 2>/dev/null
exit $rc`

// killScript kills every process of the sandbox user but itself.
const killScript = `kill -9 -1 2>/dev/null; kill -9 -1 2>/dev/null; exit 0`

const (
	// fallbackMargin is how long after the host-side deadline the
	// in-container timeout(1) fires.
	fallbackMargin = 2 * time.Second
	// killGrace is how long we wait for a killed block's output stream to
	// end before giving up on the container and replacing it.
	killGrace = fallbackMargin + 5*time.Second
)

// errContainerGone marks an exec that failed because the container is no
// longer running; the block is retried once in a fresh container.
var errContainerGone = errors.New("sandbox container is not running")

// languages lists the block languages this executor runs.
var languages = []string{"python", "sh", "bash"}

// interpreter maps a block language to its program and file extension.
func interpreter(lang string) (prog, ext string, ok bool) {
	switch executors.Language(lang) {
	case "python":
		return "python3", "py", true
	case "sh":
		return "sh", "sh", true
	case "bash":
		return "bash", "sh", true
	}
	return "", "", false
}

// Execute runs blocks in order in the container, starting it on first use,
// and stops at the first block that fails. Each block is bounded by
// Limits.Timeout and by ctx; when ctx is done the running block is killed and
// ctx's error is returned with the results so far.
func (e *Executor) Execute(ctx context.Context, blocks []executors.CodeBlock) (executors.Result, error) {
	e.run.Lock()
	defer e.run.Unlock()
	var res executors.Result
	for i, b := range blocks {
		br, err := e.runBlock(ctx, b)
		if br != nil {
			res.Blocks = append(res.Blocks, *br)
		}
		if err != nil {
			return res, err
		}
		if !br.Succeeded() {
			res.NotRun = append(res.NotRun, blocks[i+1:]...)
			break
		}
	}
	return res, nil
}

func failBlock(br *executors.BlockResult, format string, args ...any) *executors.BlockResult {
	br.ExitCode = 1
	br.Output = fmt.Sprintf(format, args...)
	br.OutputBytes = int64(len(br.Output))
	return br
}

// runBlock runs one block. A nil result with an error is a failure of the
// executor; a result with an error is a block cut short by ctx.
func (e *Executor) runBlock(ctx context.Context, b executors.CodeBlock) (*executors.BlockResult, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, executors.ErrClosed
	}
	start := time.Now()
	br := &executors.BlockResult{Block: b}
	defer func() { br.Duration = time.Since(start) }()

	prog, ext, ok := interpreter(b.Language)
	if !ok {
		return failBlock(br, "%v\n", &executors.UnsupportedLanguageError{Language: b.Language, Supported: languages}), nil
	}
	if _, err := os.Stat(e.workDir); err != nil {
		return nil, fmt.Errorf("docker: work dir: %w", err)
	}
	hostPath, ctrPath, err := e.writeCode(b, ext)
	if err != nil {
		return failBlock(br, "parley: cannot save the code: %v\n", err), nil
	}
	br.CodeFile = hostPath

	out := executors.NewCappedOutput(e.cfg.limits.OutputBytes)
	var notes []string
	var o outcome
	for attempt := 0; ; attempt++ {
		id, err := e.ensureContainer(ctx)
		if err != nil {
			return nil, err
		}
		o, err = e.exec(ctx, id, ctrPath, prog, b.Stdin, out)
		if errors.Is(err, errContainerGone) && attempt == 0 && out.Total() == 0 {
			// The container died between blocks (killed from outside, or
			// by the engine): start a fresh one and say so.
			if derr := e.dropContainer(); derr != nil {
				return nil, derr
			}
			notes = append(notes, "[parley: the sandbox container had stopped and was replaced; files in the work dir were kept, other state was lost]")
			continue
		}
		if o.replaced != "" {
			notes = append(notes, o.replaced)
		}
		if err != nil {
			if o.started {
				fill(br, out, o, e.cfg.limits, notes)
				return br, err
			}
			return nil, err
		}
		break
	}
	fill(br, out, o, e.cfg.limits, notes)
	return br, nil
}

func fill(br *executors.BlockResult, out *executors.CappedOutput, o outcome, lim executors.Limits, notes []string) {
	br.ExitCode = o.exitCode
	br.TimedOut = o.timedOut
	if o.timedOut {
		br.ExitCode = executors.TimeoutExitCode
	}
	br.Output = out.String()
	br.Truncated = out.Truncated()
	br.OutputBytes = out.Total()
	if !o.timedOut && o.exitCode == 128+int(syscall.SIGKILL) {
		mem := "no memory limit"
		if lim.MemoryBytes > 0 {
			mem = "memory limit " + executors.ByteSize(lim.MemoryBytes)
		}
		notes = append(notes, fmt.Sprintf("[parley: the block was killed (SIGKILL); it probably exceeded the %s]", mem))
	}
	for _, n := range notes {
		if br.Output != "" && !strings.HasSuffix(br.Output, "\n") {
			br.Output += "\n"
		}
		br.Output += n + "\n"
	}
}

type outcome struct {
	started  bool // the exec was attached: output may have been produced
	exitCode int
	timedOut bool
	replaced string // a note when the container had to be replaced
}

// exec runs the wrapper for one block and copies its demultiplexed output
// into out, stdout and stderr in the order the engine sends them.
func (e *Executor) exec(ctx context.Context, id, ctrPath, prog, stdin string, out io.Writer) (outcome, error) {
	var o outcome
	timeout := e.cfg.limits.Timeout
	fallback := "0"
	if timeout > 0 {
		fallback = strconv.FormatFloat((timeout + fallbackMargin).Seconds(), 'f', 3, 64)
	}
	created, err := e.cli.ExecCreate(ctx, id, client.ExecCreateOptions{
		User:         e.cfg.User,
		AttachStdin:  stdin != "",
		AttachStdout: true,
		AttachStderr: true,
		WorkingDir:   e.cfg.ContainerWorkDir,
		Cmd:          []string{"sh", "-c", wrapperScript, "parley", fallback, prog, ctrPath},
	})
	if err != nil {
		if isGone(err) {
			return o, fmt.Errorf("%w: %v", errContainerGone, err)
		}
		return o, fmt.Errorf("docker: exec in container %.12s: %w", id, err)
	}
	att, err := e.cli.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return o, fmt.Errorf("docker: attach to exec in container %.12s: %w", id, err)
	}
	o.started = true
	defer att.Close()
	if stdin != "" {
		go func() {
			_, _ = io.WriteString(att.Conn, stdin)
			_ = att.CloseWrite()
		}()
	}
	done := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(out, out, att.Reader)
		done <- err
	}()

	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		deadline = t.C
	}
	var ctxErr error
	select {
	case <-done:
	case <-deadline:
		o.timedOut = true
		o.replaced = e.stopTree(id, done)
	case <-ctx.Done():
		ctxErr = ctx.Err()
		o.replaced = e.stopTree(id, done)
	case <-e.life.Done():
		return o, executors.ErrClosed
	}
	if ctxErr != nil || o.replaced != "" {
		o.exitCode = 137
		return o, ctxErr
	}
	o.exitCode, err = e.exitCode(created.ID)
	if err != nil {
		return o, err
	}
	return o, nil
}

// stopTree kills the block's processes and waits for its stream to end. When
// it does not, the container is replaced and a note saying so is returned.
func (e *Executor) stopTree(id string, done <-chan error) (replaced string) {
	killErr := e.killAll(id)
	if killErr != nil {
		e.cfg.Logger.Warn("docker: killing the block's processes failed; waiting for the in-container timeout", "err", killErr)
	}
	t := time.NewTimer(killGrace)
	defer t.Stop()
	select {
	case <-done:
		return ""
	case <-t.C:
	}
	e.cfg.Logger.Warn("docker: block did not stop; replacing the container", "id", id)
	if err := e.dropContainer(); err != nil {
		e.cfg.Logger.Warn("docker: removing the container failed", "err", err)
	}
	return "[parley: the block's processes could not be stopped, so the sandbox container was replaced; files in the work dir were kept, other state was lost]"
}

// killAll runs kill -9 -1 as the sandbox user in its own exec and waits for
// it to finish.
func (e *Executor) killAll(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	created, err := e.cli.ExecCreate(ctx, id, client.ExecCreateOptions{
		User:         e.cfg.User,
		AttachStdout: true,
		AttachStderr: true,
		Cmd:          []string{"sh", "-c", killScript},
	})
	if err != nil {
		return err
	}
	att, err := e.cli.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return err
	}
	defer att.Close()
	stop := context.AfterFunc(ctx, att.Close)
	defer stop()
	_, _ = io.Copy(io.Discard, att.Reader)
	code, err := e.exitCode(created.ID)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("kill exec exited with %d (no process could be started?)", code)
	}
	return nil
}

// exitCode reads an exec's exit code once its stream has ended. The engine
// may report it a moment after the stream closes.
func (e *Executor) exitCode(execID string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	wait := time.Millisecond
	for {
		ins, err := e.cli.ExecInspect(ctx, execID, client.ExecInspectOptions{})
		if err != nil {
			return 0, fmt.Errorf("docker: inspect exec: %w", err)
		}
		if !ins.Running {
			return ins.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("docker: exec still running after its output ended: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 100*time.Millisecond)
	}
}

// writeCode saves a block's code in the work dir, under its filename hint or
// a name made from its hash, and returns the host and container paths.
func (e *Executor) writeCode(b executors.CodeBlock, ext string) (hostPath, ctrPath string, err error) {
	name := b.Filename
	if name == "" {
		sum := sha256.Sum256([]byte(b.Code))
		name = "tmp_code_" + hex.EncodeToString(sum[:16]) + "." + ext
	}
	hostPath, err = executors.SafeJoin(e.workDir, name)
	if err != nil {
		return "", "", err
	}
	rel, err := filepath.Rel(e.workDir, hostPath)
	if err != nil {
		return "", "", err
	}
	if err := e.mkdirs(filepath.Dir(rel)); err != nil {
		return "", "", err
	}
	if err := executors.ResolveInside(e.workDir, hostPath); err != nil {
		return "", "", err
	}
	// Replace, never follow, whatever an earlier block left at this name
	// (it may be a symlink pointing out of the work dir).
	if fi, err := os.Lstat(hostPath); err == nil && !fi.IsDir() {
		if err := os.Remove(hostPath); err != nil {
			return "", "", err
		}
	}
	f, err := os.OpenFile(hostPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return "", "", err
	}
	_, err = f.WriteString(b.Code)
	if err == nil {
		err = e.giveToSandbox(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", "", err
	}
	return hostPath, path.Join(e.cfg.ContainerWorkDir, filepath.ToSlash(rel)), nil
}

// mkdirs creates the directories of rel under the work dir, owned by the
// sandbox user so that blocks can write in them.
func (e *Executor) mkdirs(rel string) error {
	if rel == "." {
		return nil
	}
	dir := e.workDir
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		dir = filepath.Join(dir, part)
		err := os.Mkdir(dir, 0o755)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return err
		}
		if os.Getuid() == 0 && e.cfg.uid > 0 {
			if err := os.Lchown(dir, e.cfg.uid, e.cfg.gid); err != nil {
				return err
			}
		}
	}
	return nil
}

// giveToSandbox hands a file we wrote as root to the sandbox user.
func (e *Executor) giveToSandbox(f *os.File) error {
	if os.Getuid() != 0 || e.cfg.uid <= 0 {
		return nil
	}
	return f.Chown(e.cfg.uid, e.cfg.gid)
}
