// Command demo runs Parley's two-agent chat from AutoGen's "Code Executors"
// chapter: a writer agent backed by an LLM writes code, a code-executor agent
// with no LLM runs each approved block and replies with the exit code and
// output, until the writer says TERMINATE.
//
// With OPENAI_API_KEY set it talks to any OpenAI-compatible endpoint
// (OPENAI_BASE_URL, OPENAI_MODEL). Without it, it replays a recorded model
// session for the default task through the same client, offline, and still
// really executes the code.
//
// Code runs only when approved: on a terminal each block is shown and
// confirmed; with --yes every block is approved; with no terminal and no
// --yes nothing runs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
