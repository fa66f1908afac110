package docker

import (
	"context"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/executors"
)

var echoHi = []executors.CodeBlock{{Language: "sh", Code: "echo hi"}}

// BenchmarkWarmBlock measures one `echo hi` block on a warm container through
// the Engine API (api) against the docker CLI doing the same exec on the same
// container (cli), in the same run.
func BenchmarkWarmBlock(b *testing.B) {
	e := newExecutor(b, Config{})
	ctx := context.Background()
	res, err := e.Execute(ctx, echoHi)
	require.NoError(b, err)
	require.Equal(b, "hi\n", res.Blocks[0].Output)
	id := e.ContainerID()

	b.Run("api", func(b *testing.B) {
		for b.Loop() {
			res, err := e.Execute(ctx, echoHi)
			if err != nil || res.Blocks[0].Output != "hi\n" {
				b.Fatalf("%v %+v", err, res)
			}
		}
	})
	b.Run("cli", func(b *testing.B) {
		docker, err := exec.LookPath("docker")
		if err != nil {
			b.Skip("docker CLI not installed: no baseline")
		}
		for b.Loop() {
			out, err := exec.Command(docker, "exec", "-u", e.cfg.User, id, "sh", "-c", "echo hi").Output()
			if err != nil || string(out) != "hi\n" {
				b.Fatalf("%v %q", err, out)
			}
		}
	})
}

// BenchmarkWarmBlockRatio interleaves both ways in one loop and reports
// api/cli as a ratio, so machine noise hits both alike.
func BenchmarkWarmBlockRatio(b *testing.B) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		b.Skip("docker CLI not installed: no baseline")
	}
	e := newExecutor(b, Config{})
	ctx := context.Background()
	_, err = e.Execute(ctx, echoHi)
	require.NoError(b, err)
	id := e.ContainerID()
	var api, cli time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := e.Execute(ctx, echoHi); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := exec.Command(docker, "exec", "-u", e.cfg.User, id, "sh", "-c", "echo hi").Run(); err != nil {
			b.Fatal(err)
		}
		api += t1.Sub(t0)
		cli += time.Since(t1)
	}
	b.ReportMetric(float64(api.Nanoseconds())/float64(b.N), "api-ns/block")
	b.ReportMetric(float64(cli.Nanoseconds())/float64(b.N), "cli-ns/block")
	b.ReportMetric(float64(api)/float64(cli), "api/cli")
}

// BenchmarkColdStart is New plus the first Execute (which creates and starts
// the container); Close is not timed.
func BenchmarkColdStart(b *testing.B) {
	requireEngine(b)
	ctx := context.Background()
	for b.Loop() {
		e, err := New(ctx, Config{})
		require.NoError(b, err)
		res, err := e.Execute(ctx, echoHi)
		require.NoError(b, err)
		require.Equal(b, "hi\n", res.Blocks[0].Output)
		b.StopTimer()
		require.NoError(b, e.Close())
		b.StartTimer()
	}
}

// BenchmarkConcurrent20 starts 20 executors at once, each running one block,
// and closes them; one op is the whole batch.
func BenchmarkConcurrent20(b *testing.B) {
	requireEngine(b)
	ctx := context.Background()
	for b.Loop() {
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e, err := New(ctx, Config{})
				if err != nil {
					errs <- err
					return
				}
				defer e.Close()
				if _, err := e.Execute(ctx, echoHi); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
}
