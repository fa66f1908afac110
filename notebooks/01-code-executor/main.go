// Command 01-code-executor is the walkthrough of AutoGen's code-executor
// chapter in Go: a writer agent backed by a model writes Python, a
// code-executor agent runs it on this machine and reports the result, until
// the writer says TERMINATE. See ../01-code-executor.md.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/notebook"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/local"
	"github.com/parley-go/parley/notebooks/internal/walk"
)

//go:embed replay.json
var replay []byte

const writerSystemMessage = `You are a helpful AI assistant who solves tasks by writing code.
Write one complete, runnable code block per reply in a fenced markdown block tagged with its
language (python or sh). To save the code to a file, put "# filename: <name>" on its first line.
Another agent runs your code and replies with the exit code and output. If the code fails,
fix it and send the whole corrected block again.
When the task is done and verified by the output, give the answer and end with the word TERMINATE.`

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "01-code-executor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	llm, stop, err := walk.Model(replay)
	if err != nil {
		return err
	}
	defer stop()

	// The executor: local processes in a fresh work dir, 30 s per block.
	workDir, err := os.MkdirTemp("", "parley-01-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	ex, err := local.New(local.Config{WorkDir: workDir, Limits: executors.Limits{Timeout: 30 * time.Second}})
	if err != nil {
		return err
	}
	defer ex.Close()

	writer, err := agents.New("writer", agents.WithLLM(llm), agents.WithSystemMessage(writerSystemMessage))
	if err != nil {
		return err
	}
	// Nothing runs without an approver. AutoApprove is an explicit choice
	// for this walkthrough; 02-human-approval puts a reviewer in its place.
	executor, err := agents.New("code_executor", agents.WithCodeExecution(agents.CodeExecution{
		Executor: ex,
		Approver: agents.AutoApprove(),
		Describe: "commandline-local",
	}))
	if err != nil {
		return err
	}

	res, err := conversation.Initiate(ctx, executor, writer,
		"Write Python code to calculate the 14th Fibonacci number.",
		conversation.WithMaxTurns(5),
		conversation.WithObserver(walk.Printer(os.Stdout)))
	if err != nil {
		return err
	}
	walk.Ended(os.Stdout, res)

	// The filename hint in the code block saved the script in the work dir.
	src, err := os.ReadFile(filepath.Join(workDir, "fibonacci.py"))
	if err != nil {
		return err
	}
	fmt.Printf("fibonacci.py was saved: %d lines\n", strings.Count(string(src), "\n"))

	// The whole chat, with the executed blocks and their outputs, as a
	// Jupyter notebook.
	nb, err := notebook.FromMessages(res.History, notebook.Options{Title: "The 14th Fibonacci number"})
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(workDir, "fibonacci.ipynb"))
	if err != nil {
		return err
	}
	defer f.Close()
	if err := notebook.Write(f, nb); err != nil {
		return err
	}
	for _, c := range nb.Cells {
		fmt.Printf("notebook cell: %-8s %q\n", c.Type, firstLine(c.Source))
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
