// Command 03-docker-and-jupyter runs the same writer against two other
// executors: a Docker container (no network, limits, removed at the end) and
// a Jupyter kernel (state kept between blocks). See
// ../03-docker-and-jupyter.md.
//
// It exits with status 3 when Docker or Jupyter is missing.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/docker"
	"github.com/parley-go/parley/executors/jupyter"
	"github.com/parley-go/parley/notebooks/internal/walk"
)

//go:embed replay.json
var replay []byte

func main() {
	code, err := run(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "03-docker-and-jupyter:", err)
	}
	os.Exit(code)
}

func run(ctx context.Context) (int, error) {
	llm, stop, err := walk.Model(replay)
	if err != nil {
		return 1, err
	}
	defer stop()

	// Docker: the sandbox image built by scripts/build-sandbox-image.sh.
	dk, err := docker.New(ctx, docker.Config{})
	if err != nil {
		return 3, fmt.Errorf("skipped: %w (run scripts/build-sandbox-image.sh with a running dockerd)", err)
	}
	defer dk.Close()
	fmt.Println("## Docker")
	if err := chat(ctx, llm, dk, "docker", "Where does your code run? Find out with Python."); err != nil {
		return 1, err
	}

	// Jupyter: with no URL, a local Jupyter Server is started (installed by
	// scripts/setup-jupyter.sh) and stopped on Close.
	jp, err := jupyter.New(ctx, jupyter.Config{})
	if err != nil {
		return 3, fmt.Errorf("skipped: %w (run scripts/setup-jupyter.sh)", err)
	}
	defer jp.Close()
	fmt.Println("## Jupyter")
	if err := chat(ctx, llm, jp, "jupyter", "Show that the kernel keeps state between code blocks."); err != nil {
		return 1, err
	}
	return 0, nil
}

func chat(ctx context.Context, llm agents.LLM, ex executors.Executor, describe, task string) error {
	writer, err := agents.New("writer", agents.WithLLM(llm),
		agents.WithSystemMessage("Solve tasks with Python code blocks. End with TERMINATE when done."))
	if err != nil {
		return err
	}
	executor, err := agents.New("code_executor", agents.WithCodeExecution(agents.CodeExecution{
		Executor: ex, Approver: agents.AutoApprove(), Describe: describe,
	}))
	if err != nil {
		return err
	}
	res, err := conversation.Initiate(ctx, executor, writer, task,
		conversation.WithMaxTurns(5), conversation.WithObserver(walk.Printer(os.Stdout)))
	if err != nil {
		return err
	}
	walk.Ended(os.Stdout, res)
	return nil
}
