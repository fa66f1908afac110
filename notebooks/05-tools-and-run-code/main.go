// Command 05-tools-and-run-code shows tool calling: a Go function offered
// to the model with a schema derived from its argument struct, the built-in
// run_code tool called twice in one reply and run in parallel, a call with
// bad arguments that goes back to the model as an error, the events of the
// chat as they happen, and what the chat cost. See ../05-tools-and-run-code.md.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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

// tableArgs are the arguments of the read_table tool; SchemaOf turns the
// struct into the JSON Schema the model sees.
type tableArgs struct {
	Name string `json:"name" description:"the table to read" enum:"sales,returns"`
}

// tables stand for data only the Go program can reach (a database, an API).
var tables = map[string]string{
	"sales": `region,product,units,unit_price
north,widget,12,2.50
north,gadget,3,19.99
south,widget,7,2.50
south,gizmo,5,7.25
east,gadget,4,19.99
`,
	"returns": `region,product,units
north,gadget,1
`,
}

func readTable(ctx context.Context, args tableArgs) (string, error) {
	t, ok := tables[args.Name]
	if !ok {
		return "", fmt.Errorf("no table %q: the tables are sales and returns", args.Name)
	}
	return t, nil
}

// prices is what the models cost, per million tokens. A dated model name
// (gpt-4o-mini-2024-07-18) takes the price of the longest name it starts
// with.
var prices = agents.Prices{
	"gpt-4o-mini": {Prompt: 0.15, Completion: 0.60},
	"gpt-4o":      {Prompt: 2.50, Completion: 10.00},
}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "05-tools-and-run-code:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	llm, stop, err := walk.Model(replay)
	if err != nil {
		return err
	}
	defer stop()

	workDir, err := os.MkdirTemp("", "parley-05-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)
	ex, err := local.New(local.Config{WorkDir: workDir, Limits: executors.Limits{Timeout: 30 * time.Second}})
	if err != nil {
		return err
	}
	defer ex.Close()

	readTableTool, err := agents.NewTool("read_table", "Read one of our tables as CSV.", readTable)
	if err != nil {
		return err
	}
	schema, err := json.Marshal(readTableTool.Parameters)
	if err != nil {
		return err
	}
	fmt.Printf("read_table's schema: %s\n\n", schema)

	// The assistant's model may call both tools; the user proxy executes
	// the calls: read_table by calling the Go function, run_code through
	// its code execution (approver, executor, audit).
	assistant, err := agents.New("assistant", agents.WithLLM(llm),
		agents.WithSystemMessage("You answer questions about our data. Read tables with read_table and compute with run_code; "+
			"pass data to programs on stdin. When you have the answer, give it and end with TERMINATE."),
		agents.WithToolsForLLM(readTableTool, agents.RunCodeTool("python", "sh")))
	if err != nil {
		return err
	}
	// Nothing runs without an approver. AutoApprove is an explicit choice
	// for this walkthrough (02-human-approval puts a reviewer here).
	userProxy, err := agents.New("user_proxy",
		agents.WithToolsForExecution(readTableTool),
		agents.WithCodeExecution(agents.CodeExecution{
			Executor:    ex,
			Approver:    agents.AutoApprove(),
			Describe:    "commandline-local",
			MaxParallel: 2,
		}))
	if err != nil {
		return err
	}

	events := &eventPrinter{}
	ctx = agents.ContextWithEvents(ctx, events.handle)
	res, err := conversation.Initiate(ctx, userProxy, assistant,
		"What was our revenue by region, and how many units of each product did we sell?",
		conversation.WithMaxTurns(6),
		conversation.WithObserver(printMessage))
	if err != nil {
		return err
	}
	walk.Ended(os.Stdout, res)

	acc := agents.Accounting(res, prices)
	printAccount(acc)

	// The chat as a Jupyter notebook: the run_code calls become code cells
	// with their outputs.
	nb, err := notebook.FromMessages(res.History, notebook.Options{Title: "Revenue by region"})
	if err != nil {
		return err
	}
	path := filepath.Join(workDir, "revenue.ipynb")
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := notebook.Write(f, nb); err != nil {
		return err
	}
	code := 0
	for _, c := range nb.Cells {
		if c.Type == "code" {
			code++
		}
	}
	fmt.Printf("notebook %s: %d cells, %d of them code\n", path, len(nb.Cells), code)
	return nil
}

// eventPrinter prints the chat's events. Tool calls of one reply run
// concurrently, so their events arrive in any order; the printer holds
// them until the reply is complete and prints them sorted by call ID, which
// keeps each call's own events in the order they happened. Reviews and
// replies come one at a time and are printed at once.
type eventPrinter struct {
	mu      sync.Mutex
	pending []callEvent
}

type callEvent struct {
	id, line string
}

func (p *eventPrinter) handle(ev agents.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	who := ev.Header().Agent
	switch e := ev.(type) {
	case *agents.ToolCallEvent:
		p.hold(e.Call.ID, "%s starts %s", who, e.Call.Name)
	case *agents.ToolResultEvent:
		status := "ok"
		if e.Result.IsError {
			status = "error"
		}
		p.hold(e.Result.ToolCallID, "%s finished %s: %s", who, e.Result.Name, status)
	case *agents.ExecutionStartedEvent:
		p.hold(e.CallID, "%s hands %d %s block(s) to %s", who, len(e.Blocks), e.Blocks[0].Language, e.Executor)
	case *agents.ExecutionFinishedEvent:
		p.hold(e.CallID, "%s: %s returned exit code %d", who, e.Executor, e.Result.ExitCode())
	case *agents.BlockReviewedEvent:
		fmt.Printf("   event: %s reviewed block %d/%d (%s): %s by %s\n",
			who, e.Review.Index, e.Review.Total, e.Review.Block.Language, e.Decision.Action, e.Decision.By)
	case *agents.MessageEvent:
		slices.SortStableFunc(p.pending, func(a, b callEvent) int { return strings.Compare(a.id, b.id) })
		for _, c := range p.pending {
			fmt.Printf("   event: [%s] %s\n", c.id, c.line)
		}
		p.pending = nil
		fmt.Printf("   event: %s replies (step %s)\n\n", who, e.Step)
	}
}

func (p *eventPrinter) hold(id, format string, args ...any) {
	p.pending = append(p.pending, callEvent{id: id, line: fmt.Sprintf(format, args...)})
}

// printMessage prints each message as it joins the transcript, tool calls
// and their results included.
func printMessage(m conversation.Message) {
	fmt.Printf("── %s (%s)\n", m.Name, m.Origin)
	if c := strings.TrimRight(m.Content, "\n"); c != "" {
		fmt.Println(c)
	}
	for _, tc := range m.ToolCalls {
		var rc agents.RunCodeArgs
		if tc.Name == agents.RunCodeToolName && json.Unmarshal([]byte(tc.Arguments), &rc) == nil {
			fmt.Printf("call %s: run_code, %s", tc.ID, rc.Language)
			if rc.Stdin != "" {
				fmt.Printf(", %d line(s) on stdin", strings.Count(rc.Stdin, "\n"))
			}
			fmt.Printf("\n```%s\n%s\n```\n", rc.Language, strings.TrimRight(rc.Code, "\n"))
			continue
		}
		fmt.Printf("call %s: %s %s\n", tc.ID, tc.Name, tc.Arguments)
	}
	for _, tr := range m.ToolResponses {
		status := ""
		if tr.IsError {
			status = " (error)"
		}
		fmt.Printf("result of %s%s:\n%s\n", tr.ToolCallID, status, strings.TrimRight(tr.Content, "\n"))
	}
	fmt.Println()
}

func printAccount(acc agents.Account) {
	u := acc.Usage
	fmt.Printf("\n== accounting\ntokens: %d prompt + %d completion = %d (%s)\n",
		u.PromptTokens, u.CompletionTokens, u.TotalTokens, u.Model)
	fmt.Printf("cost: $%.6f", acc.Cost)
	if len(acc.Unpriced) > 0 {
		fmt.Printf(" (no price for %s)", strings.Join(acc.Unpriced, ", "))
	}
	fmt.Printf("\nexecutor time: %v in %d execution(s), %d block(s)\n",
		acc.ExecutorTime.Round(time.Millisecond), acc.Executions, acc.Blocks)
	names := make([]string, 0, len(acc.ByAgent))
	for name := range acc.ByAgent {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		a := acc.ByAgent[name]
		fmt.Printf("  %-10s %5d tokens  $%.6f  %d execution(s)\n", name, a.Usage.TotalTokens, a.Cost, a.Executions)
	}
	fmt.Println()
}
