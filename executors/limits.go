package executors

import (
	"fmt"
	"time"
)

// Limits bound what one block may use. Every executor honours every field it
// can enforce and documents the ones it cannot. A zero field means "use the
// default" (see DefaultLimits); use a negative value to lift a limit
// explicitly where an executor allows it.
type Limits struct {
	// Timeout is the wall-clock time one block may run. When it passes the
	// block's whole process tree is stopped.
	Timeout time.Duration `json:"timeout"`
	// OutputBytes caps the merged stdout and stderr kept per block.
	OutputBytes int `json:"output_bytes"`
	// MemoryBytes caps the memory of the block's processes (address space
	// for the local executor, cgroup memory for Docker).
	MemoryBytes int64 `json:"memory_bytes"`
	// CPUTime caps the CPU time of the block's processes (local), or is
	// read as a number of CPUs times the timeout where only a CPU share can
	// be set (Docker uses CPUs instead).
	CPUTime time.Duration `json:"cpu_time"`
	// Processes caps how many processes the block may run at once (the
	// fork-bomb guard).
	Processes int `json:"processes"`
}

// Defaults used for zero fields of Limits.
const (
	DefaultTimeout     = 60 * time.Second
	DefaultOutputBytes = 64 << 10
	DefaultMemoryBytes = 512 << 20
	DefaultCPUTime     = 120 * time.Second
	DefaultProcesses   = 256
)

// DefaultLimits returns the limits applied when none are given.
func DefaultLimits() Limits {
	return Limits{
		Timeout:     DefaultTimeout,
		OutputBytes: DefaultOutputBytes,
		MemoryBytes: DefaultMemoryBytes,
		CPUTime:     DefaultCPUTime,
		Processes:   DefaultProcesses,
	}
}

// WithDefaults returns l with every zero field replaced by its default.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.Timeout == 0 {
		l.Timeout = d.Timeout
	}
	if l.OutputBytes == 0 {
		l.OutputBytes = d.OutputBytes
	}
	if l.MemoryBytes == 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	if l.CPUTime == 0 {
		l.CPUTime = d.CPUTime
	}
	if l.Processes == 0 {
		l.Processes = d.Processes
	}
	return l
}

// String describes the limits for people reviewing a block.
func (l Limits) String() string {
	show := func(v int64, f func(int64) string) string {
		if v < 0 {
			return "unlimited"
		}
		return f(v)
	}
	return fmt.Sprintf("timeout %s, output %s, memory %s, cpu %s, processes %s",
		show(int64(l.Timeout), func(v int64) string { return time.Duration(v).String() }),
		show(int64(l.OutputBytes), ByteSize),
		show(l.MemoryBytes, ByteSize),
		show(int64(l.CPUTime), func(v int64) string { return time.Duration(v).String() }),
		show(int64(l.Processes), func(v int64) string { return fmt.Sprint(v) }),
	)
}

// ByteSize formats n bytes in the largest binary unit that divides it
// exactly ("512 MiB", "64 KiB", "100 B"), for limits shown to people.
func ByteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d B", n)
	}
}
