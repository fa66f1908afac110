//go:build !unix

package local

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"

	"github.com/parley-go/parley/executors"
)

func platformSupported() error {
	return fmt.Errorf("local executor: not supported on %s: it needs Unix process groups to kill a block's processes; use the docker executor", runtime.GOOS)
}

type sandbox struct{}

func newSandbox(*slog.Logger, string) *sandbox { return &sandbox{} }

func (s *sandbox) describe() string { return "none" }

func (s *sandbox) close() error { return nil }

func (e *Executor) runBlock(context.Context, *runningBlock, executors.CodeBlock) (executors.BlockResult, error) {
	return executors.BlockResult{}, platformSupported()
}
