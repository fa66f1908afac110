//go:build !linux

package jupyter

import "syscall"

func serverSysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

type procInfo struct{ pid, pgid int }

// Without /proc we rely on the server to stop its kernels on SIGTERM.
func descendants(int) []procInfo                { return nil }
func descendantsOfGroups([]procInfo) []procInfo { return nil }
func killAll([]procInfo)                        {}
