//go:build linux

package jupyter

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

func serverSysProcAttr() *syscall.SysProcAttr {
	// Own process group so that one signal reaches the server and its
	// helpers; SIGTERM if we die so that it does not outlive us.
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// procInfo identifies a process; start time guards against pid reuse.
type procInfo struct {
	pid, ppid, pgid int
	start           string
}

func readProc(pid int) (procInfo, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procInfo{}, false
	}
	s := string(b)
	// The command name may hold spaces and parentheses; fields follow the
	// last ')'.
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procInfo{}, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return procInfo{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	pgid, _ := strconv.Atoi(f[2])
	return procInfo{pid: pid, ppid: ppid, pgid: pgid, start: f[19]}, true
}

func allProcs() []procInfo {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []procInfo
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if p, ok := readProc(pid); ok {
			out = append(out, p)
		}
	}
	return out
}

// descendants lists every process below pid.
func descendants(pid int) []procInfo {
	procs := allProcs()
	children := map[int][]procInfo{}
	for _, p := range procs {
		children[p.ppid] = append(children[p.ppid], p)
	}
	var out []procInfo
	queue := []int{pid}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, c := range children[n] {
			out = append(out, c)
			queue = append(queue, c.pid)
		}
	}
	return out
}

// descendantsOfGroups lists live processes in the process groups led by
// kids (a kernel's own subprocesses), found after the server has gone.
func descendantsOfGroups(kids []procInfo) []procInfo {
	leaders := map[int]bool{}
	for _, k := range kids {
		if k.pid == k.pgid && alive(k) {
			leaders[k.pgid] = true
		}
	}
	if len(leaders) == 0 {
		return nil
	}
	var out []procInfo
	for _, p := range allProcs() {
		if leaders[p.pgid] {
			out = append(out, p)
		}
	}
	return out
}

func alive(p procInfo) bool {
	now, ok := readProc(p.pid)
	return ok && now.start == p.start
}

// killAll sends SIGKILL to every listed process that is still the same
// process.
func killAll(ps []procInfo) {
	for _, p := range ps {
		if alive(p) {
			_ = syscall.Kill(p.pid, syscall.SIGKILL)
		}
	}
}
