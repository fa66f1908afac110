package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/audit"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/agents/terminal"
	"github.com/parley-go/parley/conversation"
)

// DefaultTask is the task of AutoGen's code-executor chapter, and the one the
// recorded session answers.
const DefaultTask = "Write Python code to calculate the 14th Fibonacci number."

//go:embed replay/fibonacci.json
var fibonacciReplay []byte

const writerSystemMessage = `You are a helpful AI assistant who solves tasks by writing code.
Write one complete, runnable code block per reply in a fenced markdown block tagged with its
language (python or sh). To save the code to a file, put "# filename: <name>" on its first line.
Another agent runs your code and replies with the exit code and output. If the code fails,
fix it and send the whole corrected block again. Do not ask the user to change the code.
When the task is done and verified by the output, give the answer and end with the word TERMINATE.`

// options are the parsed command line.
type options struct {
	message    string
	executor   string
	workDir    string
	timeout    time.Duration
	maxTurns   int
	yes        bool
	transcript string
	model      string
	image      string
	jupyterURL string
	verbose    bool
	policy     string
	audit      string
	verify     string
	human      string
	mode       agents.HumanInputMode // parsed from human
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.message, "message", DefaultTask, "the task for the writer agent")
	fs.StringVar(&o.executor, "executor", "local", "where code runs: local, docker or jupyter")
	fs.StringVar(&o.workDir, "work-dir", "", "directory code is written to and run in (default: a fresh temporary directory)")
	fs.DurationVar(&o.timeout, "timeout", 60*time.Second, "time limit per code block, as a Go duration (e.g. 30s)")
	fs.IntVar(&o.maxTurns, "max-turns", 10, "end the chat after this many turns")
	fs.BoolVar(&o.yes, "yes", false, "approve every code block without asking (unattended runs)")
	fs.StringVar(&o.transcript, "transcript", "", "write the chat as JSON Lines to this file as it happens")
	fs.StringVar(&o.model, "model", "", "model name (default: $OPENAI_MODEL, else "+agents.DefaultModel+")")
	fs.StringVar(&o.image, "image", "", "Docker image for --executor docker (default parley-sandbox:latest)")
	fs.StringVar(&o.jupyterURL, "jupyter-url", "", "Jupyter Server URL for --executor jupyter (token from $PARLEY_JUPYTER_TOKEN); default: start a local server")
	fs.BoolVar(&o.verbose, "v", false, "log executor and agent events to stderr")
	fs.StringVar(&o.policy, "policy", "", "policy checking code before it runs: static, llm, static+llm or deny. On a terminal its findings are shown next to each block; with --yes it refuses what it flags; with no terminal and no --yes it decides alone (runs clean blocks, refuses the rest)")
	fs.StringVar(&o.audit, "audit", "", "append every review and execution to this hash-chained JSON Lines audit log")
	fs.StringVar(&o.verify, "verify-audit", "", "verify the audit log FILE (reports the first altered or missing entry) and exit")
	fs.StringVar(&o.human, "human", "never", "when the code executor asks you for a reply: never, terminate (only when the chat would end) or always (every turn); needs a terminal")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: demo [flags]\n\nRuns a writer agent (LLM) and a code-executor agent until the task is done.\nWithout OPENAI_API_KEY it replays a recorded session for the default task.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if strings.TrimSpace(o.message) == "" {
		return o, errors.New("--message is empty: give the writer a task")
	}
	if o.timeout <= 0 {
		return o, fmt.Errorf("--timeout must be positive, got %s", o.timeout)
	}
	if !validPolicy(o.policy) {
		return o, fmt.Errorf("unknown --policy %q: use static, llm, static+llm or deny", o.policy)
	}
	var err error
	if o.mode, err = humanMode(o.human); err != nil {
		return o, err
	}
	if o.maxTurns <= 0 {
		return o, fmt.Errorf("--max-turns must be positive, got %d", o.maxTurns)
	}
	return o, nil
}

// Exit codes.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitRefused   = 3
	exitCancelled = 130
)

func humanMode(s string) (agents.HumanInputMode, error) {
	switch strings.ToLower(s) {
	case "never", "":
		return agents.HumanNever, nil
	case "terminate":
		return agents.HumanTerminate, nil
	case "always":
		return agents.HumanAlways, nil
	}
	return agents.HumanNever, fmt.Errorf("unknown --human %q: use never, terminate or always", s)
}

// run is the whole program; main only wires it to the process. sigs
// delivers Ctrl-C and SIGTERM (nil: none).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, sigs <-chan os.Signal) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return exitUsage
	}
	if o.verify != "" {
		return verifyAudit(o.verify, stdout, stderr)
	}
	ctx, endSession := context.WithCancel(ctx)
	defer endSession()
	intr := newInterrupter(endSession, stderr)
	go intr.watch(ctx, sigs)

	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	out := newPrinter(stdout)
	tty := isTerminal(stdin)
	if o.mode != agents.HumanNever && !tty {
		fmt.Fprintf(stderr, "demo: --human %s needs a terminal on stdin to ask you; stdin is not one. Use --human never for unattended runs.\n", o.human)
		return exitUsage
	}

	llm, replay, closeLLM, err := newModel(o, getenv, out)
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return exitUsage
	}
	defer closeLLM()
	if (o.policy == policyLLM || o.policy == policyStaticLLM) && replay {
		fmt.Fprintf(stderr, "demo: --policy %s needs a model to review code: set %s (the offline replay cannot review anything)\n", o.policy, agents.EnvAPIKey)
		return exitUsage
	}

	ex, limits, describe, err := openExecutor(ctx, o, getenv, logger)
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return exitFailed
	}
	defer func() {
		if err := ex.Close(); err != nil {
			fmt.Fprintln(stderr, "demo: closing the executor:", err)
		}
	}()

	var onRecord func(context.Context, agents.ExecutionRecord)
	if o.audit != "" {
		log, err := audit.Open(o.audit, audit.WithLimits(limits))
		if err != nil {
			fmt.Fprintln(stderr, "demo:", err)
			return exitFailed
		}
		defer func() {
			if err := log.Close(); err != nil {
				fmt.Fprintln(stderr, "demo: audit log:", err)
			}
		}()
		onRecord = log.Record
	}

	approver, how := newApprover(o, tty, llm, stdin, stdout)
	out.line(fmt.Sprintf("Code runs in: %s\nApproval: %s.\n", describe, how))
	code := newCodeExecution(ex, describe, approver, intr, out, tty && isTerminal(stdout), onRecord)

	writer, err := agents.New("writer",
		agents.WithLLM(llm),
		agents.WithSystemMessage(writerSystemMessage),
		agents.WithLogger(logger))
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return exitFailed
	}
	execOpts := []agents.Option{agents.WithCodeExecution(code), agents.WithLogger(logger)}
	if o.mode != agents.HumanNever {
		execOpts = append(execOpts, agents.WithHumanInput(o.mode, terminal.NewHuman(terminal.WithInput(stdin), terminal.WithOutput(stdout))))
	}
	executor, err := agents.New("code_executor", execOpts...)
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return exitFailed
	}

	chatOpts := []conversation.Option{
		conversation.WithMaxTurns(o.maxTurns),
		conversation.WithObserver(out.message),
	}
	if o.transcript != "" {
		f, err := os.OpenFile(o.transcript, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			fmt.Fprintln(stderr, "demo: transcript:", err)
			return exitFailed
		}
		defer f.Close()
		chatOpts = append(chatOpts, conversation.WithTranscript(f))
	}

	// The event stream drives what the demo shows besides whole messages:
	// tokens as they stream, retries, tool calls.
	ctx = agents.ContextWithEvents(ctx, out.event)
	res, err := conversation.Initiate(ctx, executor, writer, o.message, chatOpts...)
	if res != nil {
		out.summary(res)
	}
	if res != nil && res.Reason == conversation.ReasonCancelled {
		fmt.Fprintln(stderr, "demo: the session was ended; nothing it started is left running.")
		return exitCancelled
	}
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return exitFailed
	}
	if res.Reason == conversation.ReasonRefused {
		fmt.Fprintln(stderr, "demo: nothing was executed: stdin is not a terminal, so nobody can approve code blocks. Run it on a terminal to review each block, add --policy static to let the static policy run the blocks it finds safe, or --yes to approve every block (only in a sandbox you trust).")
		return exitRefused
	}
	return exitOK
}

func verifyAudit(path string, stdout, stderr io.Writer) int {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(stderr, "demo:", err)
		return exitFailed
	}
	defer f.Close()
	sum, err := audit.Check(f)
	if err != nil {
		fmt.Fprintf(stderr, "demo: audit log %s does NOT verify: %v\n", path, err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "audit log %s verifies: %d entries, chain intact, head %s\n", path, sum.Entries, sum.Head)
	return exitOK
}

// newModel returns the writer's model: the configured endpoint, or the
// embedded replay served on loopback to the same client.
func newModel(o options, getenv func(string) string, out *printer) (agents.LLM, bool, func(), error) {
	cfg := agents.OpenAIConfig{
		APIKey:  getenv(agents.EnvAPIKey),
		BaseURL: getenv(agents.EnvBaseURL),
		Model:   getenv(agents.EnvModel),
	}
	if o.model != "" {
		cfg.Model = o.model
	}
	if cfg.APIKey != "" {
		llm, err := agents.NewOpenAI(cfg)
		return llm, false, func() {}, err
	}
	if o.message != DefaultTask {
		return nil, false, nil, fmt.Errorf("no %s is set, and the offline replay only knows the default task (%q); set %s to ask a model something else", agents.EnvAPIKey, DefaultTask, agents.EnvAPIKey)
	}
	responses, err := openaitest.ReadReplay(strings.NewReader(string(fibonacciReplay)))
	if err != nil {
		return nil, false, nil, fmt.Errorf("embedded replay: %w", err)
	}
	const replayKey = "replay-key"
	srv := openaitest.NewServer(openaitest.Replay(responses), openaitest.WithAPIKey(replayKey))
	out.banner(fmt.Sprintf("REPLAY: %s is not set, so the writer's answers are a recorded model session served offline.\nThe code in them is really executed on this machine.", agents.EnvAPIKey))
	cfg.APIKey, cfg.BaseURL = replayKey, srv.URL()
	if cfg.Model == "" {
		cfg.Model = "recorded-gpt-4o-mini"
	}
	llm, err := agents.NewOpenAI(cfg)
	if err != nil {
		srv.Close()
		return nil, false, nil, err
	}
	return llm, true, srv.Close, nil
}
