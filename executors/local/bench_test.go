//go:build unix

package local_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/local"
)

// The Execute benchmarks and the Direct ones run the same code with the same
// interpreter; compare them in one run:
//
//	go test -run '^$' -bench . -benchtime 200x ./executors/local
//
// The Paired benchmarks alternate the two in one loop and report both, their
// wall-time ratio, and the ratio of CPU time spent (ours plus the reaped
// children's), which holds up on a busy machine where wall time does not.

const (
	benchPython = "total = sum(i * i for i in range(1000))\nprint(total)\n"
	benchSh     = "i=0; while [ $i -lt 100 ]; do i=$((i+1)); done; echo $i\n"
)

// viaExecutor returns a function running code as one block through a fresh
// executor, closed when the benchmark ends.
func viaExecutor(b *testing.B, lang, code string) func() {
	e, err := local.New(local.Config{WorkDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	blocks := []executors.CodeBlock{{Language: lang, Code: code}}
	return func() {
		res, err := e.Execute(context.Background(), blocks)
		if err != nil || !res.Succeeded() {
			b.Fatalf("execute: %v %+v", err, res)
		}
	}
}

// direct returns a function running exec.Command(interpreter, file) with the
// interpreter the executor would pick from PATH, merging stdout and stderr
// in memory.
func direct(b *testing.B, command, ext, code string) func() {
	interp, err := exec.LookPath(command)
	if err != nil {
		b.Skipf("%s not on PATH", command)
	}
	file := filepath.Join(b.TempDir(), "code."+ext)
	if err := os.WriteFile(file, []byte(code), 0o644); err != nil {
		b.Fatal(err)
	}
	return func() {
		if out, err := exec.Command(interp, file).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

func benchExecute(b *testing.B, lang, code string) {
	run := viaExecutor(b, lang, code)
	for b.Loop() {
		run()
	}
}

func benchDirect(b *testing.B, command, ext, code string) {
	run := direct(b, command, ext, code)
	for b.Loop() {
		run()
	}
}

func BenchmarkExecutePython(b *testing.B) { benchExecute(b, "python", benchPython) }
func BenchmarkDirectPython(b *testing.B)  { benchDirect(b, "python3", "py", benchPython) }
func BenchmarkExecuteSh(b *testing.B)     { benchExecute(b, "sh", benchSh) }
func BenchmarkDirectSh(b *testing.B)      { benchDirect(b, "sh", "sh", benchSh) }

func benchPaired(b *testing.B, lang, command, ext, code string) {
	runDirect := direct(b, command, ext, code)
	runExecutor := viaExecutor(b, lang, code)
	var wallExecutor, wallDirect, cpuExecutor, cpuDirect time.Duration
	timed := func(run func(), wall, cpu *time.Duration) {
		start, cpu0 := time.Now(), cpuTime()
		run()
		*wall += time.Since(start)
		*cpu += cpuTime() - cpu0
	}
	i := 0
	for b.Loop() {
		if i%2 == 0 {
			timed(runExecutor, &wallExecutor, &cpuExecutor)
			timed(runDirect, &wallDirect, &cpuDirect)
		} else {
			timed(runDirect, &wallDirect, &cpuDirect)
			timed(runExecutor, &wallExecutor, &cpuExecutor)
		}
		i++
	}
	b.ReportMetric(float64(wallExecutor.Nanoseconds())/float64(i), "executor-ns/op")
	b.ReportMetric(float64(wallDirect.Nanoseconds())/float64(i), "direct-ns/op")
	b.ReportMetric(float64(wallExecutor)/float64(wallDirect), "ratio")
	b.ReportMetric(float64(cpuExecutor)/float64(cpuDirect), "cpu-ratio")
}

// cpuTime is the CPU time used by this process and its reaped children.
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if err := syscall.Getrusage(who, &ru); err == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

func BenchmarkPairedPython(b *testing.B) { benchPaired(b, "python", "python3", "py", benchPython) }
func BenchmarkPairedSh(b *testing.B)     { benchPaired(b, "sh", "sh", "sh", benchSh) }
