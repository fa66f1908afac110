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
// Code runs only when approved. On a terminal each block is shown (syntax
// highlighted, with where it runs and what the static policy noticed) and
// you run, edit, skip or abort. Unattended: --yes approves every block,
// --policy static lets the static policy approve clean blocks and refuse
// dangerous ones. With no terminal and neither, nothing runs.
//
// Ctrl-C while a block runs stops that block (the writer is told); a second
// Ctrl-C, or one while nothing runs, ends the session cleanly. --audit FILE
// records every decision and execution in a hash-chained log that
// --verify-audit FILE checks.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	code := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv, sigs)
	signal.Stop(sigs)
	os.Exit(code)
}
