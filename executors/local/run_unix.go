//go:build unix

package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"

	"github.com/parley-go/parley/executors"
)

// drainGrace is how long we wait for the output pipe to reach EOF after
// every process of the block was killed. Only a process that escaped every
// kill (and holds the pipe) can make it matter.
const drainGrace = 500 * time.Millisecond

func platformSupported() error { return nil }

// runBlock runs one block to completion. The error is non-nil only when ctx
// was cancelled; everything else is reported in the result.
func (e *Executor) runBlock(ctx context.Context, r *runningBlock, b executors.CodeBlock) (br executors.BlockResult, err error) {
	br.Block = b
	start := time.Now()
	defer func() { br.Duration = time.Since(start) }()
	fail := func(msg string) (executors.BlockResult, error) {
		br.ExitCode = 1
		br.Output = msg
		br.OutputBytes = int64(len(msg))
		e.log.Info("block refused", "language", b.Language, "reason", msg)
		return br, nil
	}

	lang, ok := e.langs[executors.Language(b.Language)]
	if !ok {
		return fail((&executors.UnsupportedLanguageError{Language: b.Language, Supported: e.Languages()}).Error())
	}
	path, err := e.saveCode(b, lang)
	if err != nil {
		return fail("parley: the code was not run: " + err.Error())
	}
	br.CodeFile = path

	token := randomHex(16)
	cmd := exec.Command(lang.interp, path)
	cmd.Dir = e.workDir
	cmd.Env = append(slices.Clip(e.env), tokenVar+"="+token)
	jail, err := e.sandbox.prepare(cmd, lang, e.limits, token)
	if err != nil {
		return fail("parley: cannot prepare the block's sandbox: " + err.Error())
	}
	defer jail.release()

	// One pipe for both streams keeps their order as written.
	outR, outW, err := os.Pipe()
	if err != nil {
		return fail("parley: cannot create the output pipe: " + err.Error())
	}
	cmd.Stdout, cmd.Stderr = outW, outW
	var stdinR, stdinW *os.File
	if b.Stdin != "" {
		if stdinR, stdinW, err = os.Pipe(); err != nil {
			outR.Close()
			outW.Close()
			return fail("parley: cannot create the input pipe: " + err.Error())
		}
		cmd.Stdin = stdinR
	}

	deadline := time.Time{}
	if e.limits.Timeout > 0 {
		deadline = start.Add(e.limits.Timeout)
	}
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}

	if !deadline.IsZero() && !time.Now().Before(deadline) {
		outR.Close()
		outW.Close()
		if stdinR != nil {
			stdinR.Close()
			stdinW.Close()
		}
		br.ExitCode, br.TimedOut = executors.TimeoutExitCode, true
		e.log.Info("block not started: its deadline has passed", "language", lang.name)
		return br, nil
	}

	e.log.Debug("block start", "language", lang.name, "file", path, "deadline", deadline)
	startErr := cmd.Start()
	// Our copies of the child's ends must go, or EOF never comes.
	outW.Close()
	if stdinR != nil {
		stdinR.Close()
	}
	if startErr != nil {
		outR.Close()
		if stdinW != nil {
			stdinW.Close()
		}
		return fail(fmt.Sprintf("parley: cannot start %s: %v", lang.interp, startErr))
	}
	pid := cmd.Process.Pid

	out := executors.NewCappedOutput(e.limits.OutputBytes)
	copyDone := make(chan struct{})
	go func() {
		defer close(copyDone)
		buf := make([]byte, 64<<10)
		// Hide WriteTo so our buffer is used; CappedOutput never fails, so
		// this drains until EOF however much is written.
		_, _ = io.CopyBuffer(out, struct{ io.Reader }{outR}, buf)
	}()
	stdinDone := make(chan struct{})
	if stdinW != nil {
		go func() {
			defer close(stdinDone)
			_, _ = io.WriteString(stdinW, b.Stdin)
			stdinW.Close()
		}()
	} else {
		close(stdinDone)
	}

	waitErr := make(chan error, 1)
	go func() { waitErr <- jail.wait(cmd, func() { jail.killGroup(pid) }) }()

	var timer <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		timer = t.C
	}
	var (
		timedOut   bool
		stopReason string
		ctxErr     error
		exited     bool
	)
	select {
	case <-waitErr:
		exited = true
	case <-timer:
		timedOut = true
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			timedOut = true
		} else {
			ctxErr = ctx.Err()
			stopReason = ctxErr.Error()
		}
	case <-r.stop:
		stopReason = r.reason
	}
	if !exited {
		jail.killGroup(pid)
		<-waitErr
		e.log.Info("block killed", "language", lang.name, "pid", pid, "timed_out", timedOut, "reason", stopReason)
	}
	// The main process is gone; whatever it left behind goes too.
	if n := jail.killAll(pid); n > 0 {
		e.log.Info("killed processes that escaped the block's process group", "language", lang.name, "count", n)
	}

	select {
	case <-copyDone:
	case <-time.After(drainGrace):
		e.log.Warn("output pipe still open after the block's processes were killed; closing it", "language", lang.name)
		_ = outR.SetReadDeadline(time.Now())
		<-copyDone
	}
	outR.Close()
	if stdinW != nil {
		stdinW.Close() // unblocks a writer the program never read
	}
	<-stdinDone

	br.Output = out.String()
	br.Truncated = out.Truncated()
	br.OutputBytes = out.Total()
	br.ExitCode, br.TimedOut = exitStatus(cmd.ProcessState, timedOut)
	if stopReason != "" {
		br.Output += note(br.Output, "stopped: "+stopReason)
		if br.ExitCode == 0 {
			br.ExitCode = 1
		}
	} else if sig, ok := signalled(cmd.ProcessState); ok && !timedOut {
		br.Output += note(br.Output, fmt.Sprintf("the process was killed by signal %d (%v)", int(sig), sig))
	}
	e.log.Debug("block finished", "language", lang.name, "exit_code", br.ExitCode,
		"timed_out", br.TimedOut, "output_bytes", br.OutputBytes, "duration", time.Since(start))
	if ctxErr != nil {
		return br, fmt.Errorf("local executor: %w", ctxErr)
	}
	return br, nil
}

// exitStatus maps a process state to the exit code we report: 124 for a
// timeout, 128+n for death by signal n as shells do.
func exitStatus(ps *os.ProcessState, timedOut bool) (int, bool) {
	if timedOut {
		return executors.TimeoutExitCode, true
	}
	if ps == nil {
		return 1, false
	}
	if sig, ok := signalled(ps); ok {
		return 128 + int(sig), false
	}
	return ps.ExitCode(), false
}

func signalled(ps *os.ProcessState) (syscall.Signal, bool) {
	if ps == nil {
		return 0, false
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return ws.Signal(), true
}

// note formats a line the executor adds after the program's output.
func note(output, msg string) string {
	if output == "" || output[len(output)-1] == '\n' {
		return "[" + msg + "]"
	}
	return "\n[" + msg + "]"
}
