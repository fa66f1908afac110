//go:build unix && !linux

package local

import (
	"log/slog"
	"os/exec"
	"syscall"

	"github.com/parley-go/parley/executors"
)

// sandbox on non-Linux Unix systems only has the process group: no
// rlimits, no sweep, no Pdeathsig (see the package documentation).
type sandbox struct{ log *slog.Logger }

func newSandbox(log *slog.Logger, _ string) *sandbox { return &sandbox{log: log} }

func (s *sandbox) describe() string { return "process group" }

func (s *sandbox) close() error { return nil }

type jail struct{}

func (s *sandbox) prepare(cmd *exec.Cmd, _ language, _ executors.Limits, _ string) (*jail, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return &jail{}, nil
}

// wait reaps the main process before the group kill: without waitid's
// WNOWAIT there is a short window in which the group id could be reused.
func (j *jail) wait(cmd *exec.Cmd, afterExit func()) error {
	err := cmd.Wait()
	afterExit()
	return err
}

func (j *jail) killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }

func (j *jail) killAll(pid int) int {
	j.killGroup(pid)
	return 0
}

func (j *jail) release() {}
