package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/docker"
	"github.com/parley-go/parley/executors/jupyter"
	"github.com/parley-go/parley/executors/local"
)

// EnvJupyterToken holds the token for --jupyter-url.
const EnvJupyterToken = "PARLEY_JUPYTER_TOKEN"

// openExecutor opens where code runs. It is opened now, so that a work dir
// that cannot be created or a missing engine is reported before the chat
// starts; the caller closes it.
func openExecutor(ctx context.Context, o options, getenv func(string) string, logger *slog.Logger) (executors.Executor, executors.Limits, string, error) {
	limits := executors.Limits{Timeout: o.timeout}.WithDefaults()
	switch o.executor {
	case "local", "commandline-local":
		ex, err := local.New(local.Config{WorkDir: o.workDir, Limits: limits, Logger: logger})
		if err != nil {
			return nil, limits, "", err
		}
		return ex, limits, "commandline-local (" + limits.String() + ")", nil
	case "docker":
		ex, err := docker.New(ctx, docker.Config{Image: o.image, WorkDir: o.workDir, Limits: limits, Logger: logger})
		if err != nil {
			return nil, limits, "", err
		}
		image := o.image
		if image == "" {
			image = docker.DefaultImage
		}
		return ex, limits, fmt.Sprintf("docker %s, no network (%s)", image, limits), nil
	case "jupyter":
		ex, err := jupyter.New(ctx, jupyter.Config{URL: o.jupyterURL, Token: getenv(EnvJupyterToken), WorkDir: o.workDir, Limits: limits, Logger: logger})
		if err != nil {
			return nil, limits, "", err
		}
		where := "a local Jupyter server"
		if o.jupyterURL != "" {
			where = o.jupyterURL
		}
		return ex, limits, fmt.Sprintf("jupyter kernel at %s (timeout %s, output %d KiB)", where, limits.Timeout, limits.OutputBytes>>10), nil
	}
	return nil, executors.Limits{}, "", fmt.Errorf("unknown --executor %q: use local, docker or jupyter", o.executor)
}

// watchedExecutor runs blocks one at a time so that each can be stopped
// with Ctrl-C on its own, shows progress while a block runs and its result
// as soon as it ends. It keeps the Executor contract: blocks after a failed
// one are reported as not run.
type watchedExecutor struct {
	executors.Executor
	intr *interrupter
	out  *printer
	live bool // a terminal: redraw an elapsed-time line while a block runs
}

var _ executors.Executor = (*watchedExecutor)(nil)

func (w *watchedExecutor) Execute(ctx context.Context, blocks []executors.CodeBlock) (executors.Result, error) {
	var res executors.Result
	for i, b := range blocks {
		rest := slices.Clone(blocks[i+1:])
		if len(rest) == 0 {
			rest = nil
		}
		if err := ctx.Err(); err != nil {
			res.NotRun = slices.Clone(blocks[i:])
			return res, err
		}
		label := fmt.Sprintf("block %d/%d (%s)", i+1, len(blocks), b.Language)
		bctx, cancel := context.WithCancelCause(ctx)
		done := w.intr.running(cancel)
		stop := w.progress(label)
		one, err := w.Executor.Execute(bctx, []executors.CodeBlock{b})
		stop()
		interrupted := done()
		cancel(nil)

		if interrupted && ctx.Err() == nil {
			br := executors.BlockResult{Block: b, ExitCode: 130}
			if len(one.Blocks) > 0 {
				br = one.Blocks[len(one.Blocks)-1]
				if br.ExitCode == 0 {
					br.ExitCode = 130
				}
			}
			if br.Output != "" && !strings.HasSuffix(br.Output, "\n") {
				br.Output += "\n"
			}
			br.Output += errInterrupted.Error() + ": the block was stopped before it finished."
			res.Blocks = append(res.Blocks, br)
			res.NotRun = rest
			w.out.blockDone(label, br)
			return res, nil
		}
		res.Blocks = append(res.Blocks, one.Blocks...)
		for _, br := range one.Blocks {
			w.out.blockDone(label, br)
		}
		if err != nil {
			res.NotRun = append(one.NotRun, rest...)
			return res, err
		}
		if !one.Succeeded() {
			res.NotRun = append(one.NotRun, rest...)
			break
		}
	}
	return res, nil
}

// progress shows that a block is running until the returned stop is called.
func (w *watchedExecutor) progress(label string) (stop func()) {
	if !w.live {
		w.out.line(fmt.Sprintf("… running %s", label))
		return func() {}
	}
	start := time.Now()
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		frames := []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for n := 0; ; n++ {
			w.out.setStatus(fmt.Sprintf("%c running %s · %s · Ctrl-C stops it", frames[n%len(frames)], label, time.Since(start).Round(100*time.Millisecond)))
			select {
			case <-quit:
				w.out.setStatus("")
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(quit)
		wg.Wait()
	}
}

// newCodeExecution wires the executor, the approver and the audit hook.
func newCodeExecution(ex executors.Executor, describe string, approver agents.Approver, intr *interrupter, out *printer, live bool, onRecord func(context.Context, agents.ExecutionRecord)) agents.CodeExecution {
	return agents.CodeExecution{
		Executor: &watchedExecutor{Executor: ex, intr: intr, out: out, live: live},
		Approver: approver,
		Describe: describe,
		OnRecord: onRecord,
	}
}
