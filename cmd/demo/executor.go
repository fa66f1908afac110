package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/local"
)

// newCodeExecution sets up where code runs and who approves it. The
// executor is opened now, so that a work dir that cannot be created or a
// missing engine is reported before the chat starts; the caller closes it.
func newCodeExecution(ctx context.Context, o options, stdin io.Reader, stdout io.Writer, getenv func(string) string, logger *slog.Logger) (agents.CodeExecution, func() error, error) {
	limits := executors.Limits{Timeout: o.timeout}.WithDefaults()
	ce := agents.CodeExecution{Approver: newApprover(o, stdin, stdout)}
	var (
		ex  executors.Executor
		err error
	)
	switch o.executor {
	case "local", "commandline-local":
		ce.Describe = "commandline-local (" + limits.String() + ")"
		ex, err = local.New(local.Config{WorkDir: o.workDir, Limits: limits, Logger: logger})
	default:
		return ce, nil, fmt.Errorf("unknown --executor %q: use local, docker or jupyter", o.executor)
	}
	if err != nil {
		return ce, nil, err
	}
	ce.Executor = ex
	return ce, ex.Close, nil
}
