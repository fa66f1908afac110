package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/markdown"
)

// RunCodeToolName is the name of the built-in code-running tool.
const RunCodeToolName = "run_code"

// RunCodeArgs are the arguments of the run_code tool.
type RunCodeArgs struct {
	Language string `json:"language" description:"the language of the code, e.g. python or sh"`
	Code     string `json:"code" description:"the complete program to run"`
	Stdin    string `json:"stdin,omitempty" description:"text given to the program as its standard input"`
}

// RunCodeTool returns the run_code tool for a model to call instead of
// writing fenced code blocks. Offer it with WithToolsForLLM; calls to it are
// executed by an agent built WithCodeExecution, through the same approver,
// executor and OnRecord audit path as fenced blocks. When languages are
// given the model is told to use one of them.
//
// The returned Tool has no Func of its own: an agent without code execution
// answers calls to it with an error result.
func RunCodeTool(languages ...string) Tool {
	schema, err := SchemaOf[RunCodeArgs]()
	if err != nil {
		// RunCodeArgs is ours and has a schema; this cannot happen.
		schema = nil
	}
	desc := "Run a program and get its exit code and output (stdout and stderr). Each call runs in a fresh process; calls made together may run in parallel."
	if len(languages) > 0 {
		props := schema["properties"].(map[string]any)
		lang := props["language"].(map[string]any)
		enum := make([]any, len(languages))
		for i, l := range languages {
			enum[i] = l
		}
		lang["enum"] = enum
		desc += " Languages: " + strings.Join(languages, ", ") + "."
	}
	return Tool{Name: RunCodeToolName, Description: desc, Parameters: schema}
}

// handlesRunCode reports whether the agent runs run_code calls through its
// code execution (a tool of the same name registered for execution wins).
func (a *ConversableAgent) handlesRunCode() bool {
	if a.code == nil {
		return false
	}
	if a.tools != nil {
		if _, ok := a.tools.forExec[RunCodeToolName]; ok {
			return false
		}
	}
	return true
}

// runCodePlan is the reviewed run_code part of a message's tool calls.
type runCodePlan struct {
	rec ExecutionRecord
	// idx maps each reviewed block to its call's index in the message.
	idx []int
}

// planRunCode parses and reviews the run_code calls at idxs. Calls with bad
// arguments get their error result in results at once and are not
// reviewed.
func (a *ConversableAgent) planRunCode(ctx context.Context, t *Turn, calls []conversation.ToolCall, idxs []int, results []conversation.ToolResponse) (*runCodePlan, error) {
	c := a.code
	if c.Approver == nil {
		return nil, conversation.Stop(conversation.ReasonRefused,
			fmt.Sprintf("%s was asked to run code through %d %s call(s) but has no approver, so nothing was run; approve code interactively on a terminal, or configure an explicit policy or auto-approval", a.name, len(idxs), RunCodeToolName))
	}
	plan := &runCodePlan{rec: ExecutionRecord{ChatID: t.Chat.ID(), Agent: a.name, Executor: c.Describe, Started: time.Now().UTC()}}
	var blocks []executors.CodeBlock
	var ids []string
	for _, i := range idxs {
		call := calls[i]
		b, err := parseRunCode(call.Arguments)
		if err != nil {
			results[i] = toolError(call, "%v", err)
			continue
		}
		blocks = append(blocks, b)
		ids = append(ids, call.ID)
		plan.idx = append(plan.idx, i)
	}
	if len(blocks) == 0 {
		return plan, nil
	}
	recs, stop, err := c.review(ctx, t.Chat.ID(), a.name, blocks, ids)
	plan.rec.Blocks = recs
	if err != nil {
		return nil, err
	}
	if stop != nil {
		c.record(ctx, plan.rec)
		return nil, stop
	}
	return plan, nil
}

func parseRunCode(raw string) (executors.CodeBlock, error) {
	var args RunCodeArgs
	if strings.TrimSpace(raw) == "" {
		raw = "{}"
	}
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		return executors.CodeBlock{}, fmt.Errorf("the arguments of %s are not a valid JSON object: %v", RunCodeToolName, err)
	}
	if strings.TrimSpace(args.Code) == "" {
		return executors.CodeBlock{}, fmt.Errorf("%s needs non-empty \"code\"", RunCodeToolName)
	}
	lang, runnable := markdown.CanonicalLanguage(args.Language)
	if !runnable {
		return executors.CodeBlock{}, fmt.Errorf("%s cannot run language %q: give a program language such as python or sh", RunCodeToolName, args.Language)
	}
	return executors.CodeBlock{Language: lang, Code: args.Code, Stdin: args.Stdin}, nil
}

// runPlanned runs the approved blocks of plan in parallel on the chat's
// executor pool and fills their results. A failure of the executor itself
// (not of the code) ends the chat, as it does for fenced blocks.
func (a *ConversableAgent) runPlanned(ctx context.Context, chat *conversation.Chat, calls []conversation.ToolCall, plan *runCodePlan, results []conversation.ToolResponse) error {
	c := a.code
	pool, err := c.pool(chat)
	if err != nil {
		return err
	}
	blockResults := make([]*executors.BlockResult, len(plan.rec.Blocks))
	errs := make([]error, len(plan.rec.Blocks))
	var wg sync.WaitGroup
	for j, br := range plan.rec.Blocks {
		call := calls[plan.idx[j]]
		if br.Ran == nil {
			results[plan.idx[j]] = conversation.ToolResponse{ToolCallID: call.ID, Name: call.Name, IsError: true,
				Content: "exitcode: 1 (execution failed)\nCode output: not run: " + skipNote(br.Decision)}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			emit(ctx, &ToolCallEvent{Call: call})
			start := time.Now()
			ex, release, err := pool.acquire(ctx, c, chat)
			if err != nil {
				errs[j] = err
				return
			}
			res, err := c.execute(ctx, ex, []executors.CodeBlock{*br.Ran}, call.ID)
			release()
			if err != nil {
				errs[j] = err
				return
			}
			reply := executors.FormatReply(res)
			if br.Ran.Code != br.Original.Code {
				reply += "\n\nThe reviewer edited the code before it ran."
			}
			if len(res.Blocks) > 0 {
				blockResults[j] = &res.Blocks[0]
			}
			tr := conversation.ToolResponse{ToolCallID: call.ID, Name: call.Name, Content: reply, IsError: !res.Succeeded()}
			results[plan.idx[j]] = tr
			emit(ctx, &ToolResultEvent{Result: tr, Duration: time.Since(start)})
		}()
	}
	wg.Wait()
	plan.rec.Duration = time.Since(plan.rec.Started)
	// Readers of the record (audit log, notebook export) pair the k-th block
	// that ran with the k-th result, so a block whose executor failed still
	// gets a (failed) result in its place.
	var res executors.Result
	for j, br := range plan.rec.Blocks {
		switch {
		case br.Ran == nil:
		case blockResults[j] != nil:
			res.Blocks = append(res.Blocks, *blockResults[j])
		default:
			out := "parley: the executor returned no result"
			if errs[j] != nil {
				out = "parley: the executor failed: " + errs[j].Error()
			}
			res.Blocks = append(res.Blocks, executors.BlockResult{Block: *br.Ran, ExitCode: 1, Output: out, OutputBytes: int64(len(out))})
		}
	}
	if len(res.Blocks) > 0 {
		plan.rec.Result = &res
	}
	c.record(ctx, plan.rec)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("executing code: %w", err)
	}
	return nil
}

// executorPool bounds the run_code calls running at once in one chat and
// hands out executors: the shared Executor, or per-chat instances opened
// with NewExecutor (the first is the chat's executor that fenced blocks
// use too).
type executorPool struct {
	sem   chan struct{}
	mu    sync.Mutex
	idle  []executors.Executor
	owned []executors.Executor
	count int
}

type poolKey struct{ agent string }

// DefaultMaxParallel is CodeExecution.MaxParallel's default for a shared
// Executor.
const DefaultMaxParallel = 4

func (c *codeExecution) pool(chat *conversation.Chat) (*executorPool, error) {
	n := c.MaxParallel
	if n <= 0 {
		n = 1
		if c.Executor != nil {
			n = DefaultMaxParallel
		}
	}
	r, err := chat.Resource(poolKey{c.key.agent}, func() (io.Closer, error) {
		return &executorPool{sem: make(chan struct{}, n)}, nil
	})
	if err != nil {
		return nil, err
	}
	return r.(*executorPool), nil
}

func (p *executorPool) acquire(ctx context.Context, c *codeExecution, chat *conversation.Chat) (executors.Executor, func(), error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	if c.Executor != nil {
		return c.Executor, func() { <-p.sem }, nil
	}
	p.mu.Lock()
	var ex executors.Executor
	first := false
	if n := len(p.idle); n > 0 {
		ex = p.idle[n-1]
		p.idle = p.idle[:n-1]
	} else {
		first = p.count == 0
		p.count++
	}
	p.mu.Unlock()
	if ex == nil {
		var err error
		if first {
			ex, err = c.executor(ctx, chat)
		} else {
			ex, err = c.NewExecutor(ctx)
			if err == nil {
				p.mu.Lock()
				p.owned = append(p.owned, ex)
				p.mu.Unlock()
			}
		}
		if err != nil {
			p.mu.Lock()
			p.count--
			p.mu.Unlock()
			<-p.sem
			return nil, nil, fmt.Errorf("open executor: %w", err)
		}
	}
	return ex, func() {
		p.mu.Lock()
		p.idle = append(p.idle, ex)
		p.mu.Unlock()
		<-p.sem
	}, nil
}

// Close closes the executors the pool opened itself.
func (p *executorPool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var errs []error
	for _, ex := range p.owned {
		errs = append(errs, ex.Close())
	}
	p.owned = nil
	return errors.Join(errs...)
}
