//go:build linux

package local

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/parley-go/parley/executors"
)

const pidsMount = "/sys/fs/cgroup/pids"

// sandbox holds what is shared by all blocks of one executor on Linux.
type sandbox struct {
	log  *slog.Logger
	root bool
	// cgroupDir is our own pids cgroup (cgroup v1) under which each block
	// gets one; empty when we may not create cgroups.
	cgroupDir string
	// sourceSh is set when the sh interpreter found in New is /bin/sh,
	// which sets the limits: sh blocks are then sourced by it instead of
	// exec'ing the same binary a second time.
	sourceSh bool
}

// newSandbox sets up what all blocks share; shInterp is the interpreter
// found for sh blocks ("" when none).
func newSandbox(log *slog.Logger, shInterp string) *sandbox {
	s := &sandbox{log: log, root: os.Geteuid() == 0}
	s.cgroupDir = makePidsCgroup(log)
	s.sourceSh = sameFile("/bin/sh", shInterp)
	return s
}

func sameFile(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

func (s *sandbox) describe() string {
	d := "process group, Pdeathsig, /proc environ sweep, rlimits"
	if s.cgroupDir != "" {
		d += ", pids cgroup " + s.cgroupDir
	}
	return d
}

func (s *sandbox) close() error {
	if s.cgroupDir == "" {
		return nil
	}
	if err := rmdirRetry(s.cgroupDir); err != nil {
		return fmt.Errorf("local executor: remove cgroup %s: %w", s.cgroupDir, err)
	}
	return nil
}

// makePidsCgroup creates a cgroup for this executor inside the pids cgroup
// we are in, when the hierarchy is cgroup v1 and writable to us. Cgroups are
// optional hardening: without one, the group kill and the sweep still clean
// up, only the process limit no longer binds root.
func makePidsCgroup(log *slog.Logger) string {
	if _, err := os.Stat(filepath.Join(pidsMount, "pids.max")); err != nil {
		// The root of a v1 pids hierarchy has no pids.max; its children do.
		if _, err := os.Stat(filepath.Join(pidsMount, "cgroup.procs")); err != nil {
			log.Debug("no cgroup v1 pids hierarchy; process limit uses RLIMIT_NPROC only")
			return ""
		}
	}
	rel, err := ownCgroup("pids")
	if err != nil {
		log.Debug("cannot find our pids cgroup", "err", err)
		return ""
	}
	removeStaleCgroups(filepath.Join(pidsMount, rel), log)
	dir := filepath.Join(pidsMount, rel, fmt.Sprintf("parley-%d-%s", os.Getpid(), randomHex(4)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		log.Debug("cannot create a pids cgroup; process limit uses RLIMIT_NPROC only", "err", err)
		return ""
	}
	return dir
}

// ownCgroup returns our path in the v1 hierarchy of controller.
func ownCgroup(controller string) (string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	if p, ok := cgroupPath(data, controller); ok {
		return p, nil
	}
	return "", fmt.Errorf("controller %s not in /proc/self/cgroup", controller)
}

// cgroupPath finds the path of controller's hierarchy in the contents of a
// /proc/<pid>/cgroup file ("8:pids:/a/b", or "4:cpu,pids:/a/b" when
// controllers share a hierarchy).
func cgroupPath(data []byte, controller string) (string, bool) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == controller {
				return parts[2], true
			}
		}
	}
	return "", false
}

// removeStaleCgroups removes cgroups left by executors of processes that
// died without Close (a crash, SIGKILL). Only empty ones go: the kernel
// refuses to remove a cgroup with live tasks.
func removeStaleCgroups(parent string, log *slog.Logger) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, en := range entries {
		rest, ok := strings.CutPrefix(en.Name(), "parley-")
		if !ok || !en.IsDir() {
			continue
		}
		pidStr, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat("/proc/" + pidStr); err == nil {
			continue // its owner still runs
		}
		dir := filepath.Join(parent, en.Name())
		blocks, _ := os.ReadDir(dir)
		for _, b := range blocks {
			if b.IsDir() {
				_ = os.Remove(filepath.Join(dir, b.Name()))
			}
		}
		if err := os.Remove(dir); err == nil {
			log.Debug("removed a stale cgroup", "dir", dir, "owner_pid", pid)
		}
	}
}

// jail is one block's containment.
type jail struct {
	s      *sandbox
	token  string
	cgroup string // this block's pids cgroup, or ""
}

// prepare turns cmd (interpreter and code file) into the sandboxed command:
// its own process group, Pdeathsig, and a /bin/sh prologue that joins the
// block's cgroup and sets the rlimits before exec'ing the interpreter, so no
// code of the block ever runs without them.
func (s *sandbox) prepare(cmd *exec.Cmd, lang language, l executors.Limits, token string) (*jail, error) {
	j := &jail{s: s, token: token}
	// Pdeathsig fires when the forking thread exits; the Go runtime only
	// ends threads that a goroutine locked and left locked, and such a
	// thread never runs other goroutines, so it fires only when we die.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}

	var script strings.Builder
	if s.cgroupDir != "" && l.Processes > 0 {
		dir := filepath.Join(s.cgroupDir, "block-"+token[:16])
		if err := os.Mkdir(dir, 0o755); err != nil {
			s.log.Warn("cannot create the block's pids cgroup; continuing without it", "err", err)
		} else if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(strconv.Itoa(l.Processes)), 0o644); err != nil {
			_ = os.Remove(dir)
			s.log.Warn("cannot set pids.max; continuing without the block's cgroup", "err", err)
		} else {
			j.cgroup = dir
			// "0" into tasks moves the writing thread, the shell's only one.
			// Unlike a pid written to cgroup.procs it skips the kernel's
			// global threadgroup lock, whose RCU grace period costs
			// milliseconds of wall time per block.
			fmt.Fprintf(&script, "echo 0 > %s || { echo 'parley: cannot join the pids cgroup' >&2; exit 126; }\n",
				shQuote(filepath.Join(dir, "tasks")))
		}
	}
	if l.MemoryBytes > 0 {
		kb := capToHard(unix.RLIMIT_DATA, ceilDiv(l.MemoryBytes, 1024), 1024)
		fmt.Fprintf(&script, "ulimit -d %d || exit 126\n", kb)
		if !lang.noAddressLimit {
			kb := capToHard(unix.RLIMIT_AS, ceilDiv(l.MemoryBytes, 1024), 1024)
			fmt.Fprintf(&script, "ulimit -v %d || exit 126\n", kb)
		}
	}
	if l.CPUTime > 0 {
		secs := capToHard(unix.RLIMIT_CPU, ceilDiv(int64(l.CPUTime), int64(time.Second)), 1)
		fmt.Fprintf(&script, "ulimit -t %d || exit 126\n", secs)
	}
	if l.Processes > 0 {
		n := int64(l.Processes)
		if !s.root {
			// RLIMIT_NPROC counts every task of the user; leave room for
			// the ones already running so the block can start at all.
			n += int64(userTasks(os.Getuid()))
		}
		n = capToHard(unix.RLIMIT_NPROC, n, 1)
		// bash and busybox spell it -u, dash -p.
		fmt.Fprintf(&script, "{ ulimit -u %d || ulimit -p %d; } 2>/dev/null || { echo 'parley: cannot set the process limit' >&2; exit 126; }\n", n, n)
	}
	var args []string
	if lang.name == "sh" && s.sourceSh {
		// Saves a whole exec (about half the cost of a short sh block).
		// $0 is the code file, as when sh runs a file; only the prefix of
		// sh's own error messages differs.
		script.WriteString(`. "$0"`)
		args = []string{"/bin/sh", "-c", script.String(), cmd.Args[1]}
	} else {
		script.WriteString(`exec "$0" "$@"`)
		args = append([]string{"/bin/sh", "-c", script.String(), cmd.Path}, cmd.Args[1:]...)
	}
	cmd.Path = "/bin/sh"
	cmd.Args = args
	return j, nil
}

// wait returns once the main process has exited, calling beforeReap while
// it is still an unreaped zombie: its pid, hence its process group id,
// cannot be reused by then, so the group kill cannot hit a stranger.
func (j *jail) wait(cmd *exec.Cmd, beforeReap func()) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	beforeReap()
	return cmd.Wait()
}

// killGroup sends SIGKILL to the block's process group. The kernel delivers
// a group signal atomically with respect to fork, so members being forked
// at that instant die too.
func (j *jail) killGroup(pid int) {
	_ = unix.Kill(-pid, unix.SIGKILL)
}

// killAll kills everything the block started, including processes that left
// its process group, and returns how many such escapees it killed.
func (j *jail) killAll(pid int) int {
	j.killGroup(pid)
	killed := map[int]bool{}
	if j.cgroup != "" {
		rel := strings.TrimPrefix(j.cgroup, pidsMount)
		inCgroup := func(p int) bool {
			data, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/cgroup")
			if err != nil {
				return false
			}
			path, ok := cgroupPath(data, "pids")
			return ok && path == rel
		}
		j.repeatKill(killed, func() []int { return cgroupProcs(j.cgroup) }, inCgroup)
	}
	needle := []byte(tokenVar + "=" + j.token + "\x00")
	hasToken := func(p int) bool { return environHas(p, needle) }
	// With a cgroup, every process the block started is in it unless it was
	// moved out on purpose, so the sweep may look only at pids allocated
	// since the block started. Without one the sweep is the only net and
	// reads every process: pid allocation may have wrapped around.
	narrow := j.cgroup != ""
	j.repeatKill(killed, func() []int {
		var found []int
		self := os.Getpid()
		last, lastOK := lastPid()
		for _, p := range listPids() {
			if p == self || (narrow && lastOK && !pidAllocatedSince(p, pid, last)) {
				continue
			}
			if hasToken(p) {
				found = append(found, p)
			}
		}
		return found
	}, hasToken)
	return len(killed)
}

// lastPid returns the pid most recently allocated in our pid namespace.
func lastPid() (int, bool) {
	data, err := os.ReadFile("/proc/sys/kernel/ns_last_pid")
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	return n, err == nil
}

// pidAllocatedSince reports whether p lies in the cyclic range (first,
// last] that the kernel's cyclic allocator hands out after first; first
// itself (the main process) is included.
func pidAllocatedSince(p, first, last int) bool {
	if first <= last {
		return p >= first && p <= last
	}
	return p >= first || p <= last
}

// repeatKill kills what find returns until it returns nothing: a process
// may fork between two passes, never after it was killed.
func (j *jail) repeatKill(killed map[int]bool, find func() []int, stillOurs func(int) bool) {
	const passes = 200
	for pass := 0; pass < passes; pass++ {
		pids := find()
		if len(pids) == 0 {
			return
		}
		for _, p := range pids {
			if killVerified(p, stillOurs) {
				killed[p] = true
			}
		}
		time.Sleep(time.Duration(min(pass+1, 20)) * time.Millisecond)
	}
	j.s.log.Error("processes of a block survive repeated SIGKILL", "token", j.token)
}

// killVerified sends SIGKILL to pid if stillOurs holds, through a pidfd so
// that the check and the kill are about the same process even if pid was
// recycled in between.
func killVerified(pid int, stillOurs func(int) bool) bool {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		if errors.Is(err, unix.ENOSYS) && stillOurs(pid) {
			return unix.Kill(pid, unix.SIGKILL) == nil
		}
		return false
	}
	defer unix.Close(fd)
	if !stillOurs(pid) {
		return false
	}
	return unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0) == nil
}

func (j *jail) release() {
	if j.cgroup == "" {
		return
	}
	if err := rmdirRetry(j.cgroup); err != nil {
		j.s.log.Warn("cannot remove the block's cgroup", "dir", j.cgroup, "err", err)
	}
}

// rmdirRetry removes a cgroup directory; the kernel refuses while exiting
// tasks are still being detached.
func rmdirRetry(dir string) error {
	var err error
	for i := 0; i < 50; i++ {
		if err = os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		time.Sleep(time.Duration(i+1) * time.Millisecond)
	}
	return err
}

func cgroupProcs(dir string) []int {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids
}

func listPids() []int {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		if p, err := strconv.Atoi(n); err == nil {
			pids = append(pids, p)
		}
	}
	return pids
}

// environHas reports whether the environment of pid contains needle (a
// whole NAME=value entry ending in NUL). A zombie's environment reads
// empty.
func environHas(pid int, needle []byte) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	i := bytes.Index(data, needle)
	return i == 0 || (i > 0 && data[i-1] == 0)
}

// userTasks counts the tasks (threads) whose real uid is uid, as
// RLIMIT_NPROC does.
func userTasks(uid int) int {
	want := strconv.Itoa(uid)
	total := 0
	for _, p := range listPids() {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/status")
		if err != nil {
			continue
		}
		var realUID string
		threads := 0
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "Uid:"); ok {
				if f := strings.Fields(v); len(f) > 0 {
					realUID = f[0]
				}
			} else if v, ok := strings.CutPrefix(line, "Threads:"); ok {
				threads, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		if realUID == want {
			total += threads
		}
	}
	return total
}

// capToHard lowers want (in units of unit bytes or seconds) to our own hard
// limit, which children cannot exceed anyway, so that ulimit never fails
// with EPERM for a non-root user.
func capToHard(resource int, want, unit int64) int64 {
	var rl unix.Rlimit
	if err := unix.Getrlimit(resource, &rl); err != nil || rl.Max == unix.RLIM_INFINITY {
		return want
	}
	if hard := int64(rl.Max / uint64(unit)); hard < want {
		return hard
	}
	return want
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// shQuote quotes s for /bin/sh.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
