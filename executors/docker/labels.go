package docker

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/moby/client"
)

// Labels on every container we create. They let New find containers left
// behind by processes that died without cleaning up.
const (
	LabelExecutor  = "parley.executor" // always "docker"
	LabelPID       = "parley.pid"      // pid of the owning process
	LabelPIDStart  = "parley.pidstart" // its start time in clock ticks since boot (guards against pid reuse)
	LabelHost      = "parley.host"     // hostname of the owner
	LabelBootID    = "parley.boot"     // kernel boot id of the owner's host
	executorLabelV = "docker"
)

// owner identifies a process for the labels.
type owner struct {
	pid      int
	pidStart string
	host     string
	boot     string
}

func self() owner {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return owner{pid: pid, pidStart: processStart(pid), host: host, boot: bootID()}
}

func (o owner) labels() map[string]string {
	return map[string]string{
		LabelExecutor: executorLabelV,
		LabelPID:      strconv.Itoa(o.pid),
		LabelPIDStart: o.pidStart,
		LabelHost:     o.host,
		LabelBootID:   o.boot,
	}
}

func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// processStart is field 22 of /proc/PID/stat, or "" when unknown.
func processStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The command name (field 2) may hold spaces; fields after it follow
	// the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

// stale reports whether a container with these labels belongs to a process
// that is gone. Containers of other hosts are never stale from here: we
// cannot see their processes.
func (o owner) stale(labels map[string]string) bool {
	if labels[LabelExecutor] != executorLabelV || labels[LabelHost] != o.host {
		return false
	}
	if b := labels[LabelBootID]; b != "" && o.boot != "" && b != o.boot {
		return true // the host rebooted since
	}
	pid, err := strconv.Atoi(labels[LabelPID])
	if err != nil || pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	// Alive (or not ours to signal): stale only if the pid was reused.
	want := labels[LabelPIDStart]
	got := processStart(pid)
	return want != "" && got != "" && want != got
}

// sweepStale force-removes labelled containers whose owner is gone and
// returns how many it removed.
func sweepStale(ctx context.Context, cli *client.Client, me owner) (int, error) {
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", LabelExecutor+"="+executorLabelV),
	})
	if err != nil {
		return 0, err
	}
	var errs []error
	n := 0
	for _, c := range list.Items {
		if !me.stale(c.Labels) {
			continue
		}
		_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !isGone(err) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
