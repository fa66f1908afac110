package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/markdown"
)

// CodeExecution configures an agent to run the code blocks in other agents'
// messages. Code execution is off unless an agent is built with it.
type CodeExecution struct {
	// Executor is shared by every chat the agent takes part in. Use it for
	// stateless executors (local); set NewExecutor instead for stateful ones
	// (Jupyter, Docker) so that each chat gets its own.
	Executor executors.Executor
	// NewExecutor opens an executor for one chat, on first use; it is closed
	// when the chat ends.
	NewExecutor func(ctx context.Context) (executors.Executor, error)
	// Approver decides on each block. Without one nothing runs: the agent
	// ends the chat saying that code execution needs an approver.
	Approver Approver
	// Describe names the executor and its limits for reviewers, e.g.
	// "commandline-local (timeout 60s, output 64 KiB, ...)".
	Describe string
	// OnRecord, when set, receives a record of every review and execution
	// (for audit logs and user interfaces).
	OnRecord func(ctx context.Context, rec ExecutionRecord)
	// MaxParallel bounds how many run_code tool calls of one message run
	// at once. With Executor they share it (default 4); with NewExecutor
	// each concurrent call needs its own instance, so the chat opens up to
	// MaxParallel executors (default 1, since a stateful executor's calls
	// may build on each other's state).
	MaxParallel int
}

// ExecutionRecord describes what the code-execution step did with one
// message: each block's review and, when it ran, its result.
type ExecutionRecord struct {
	ChatID   string            `json:"chat_id"`
	Agent    string            `json:"agent"`
	Executor string            `json:"executor"`
	Blocks   []BlockRecord     `json:"blocks"`
	Result   *executors.Result `json:"result,omitempty"`
	Started  time.Time         `json:"started"`
	Duration time.Duration     `json:"duration"`
}

// BlockRecord is one block's review.
type BlockRecord struct {
	Original executors.CodeBlock `json:"original"`
	// Ran is the block as it ran (edited code included); nil when it did
	// not run.
	Ran      *executors.CodeBlock `json:"ran,omitempty"`
	Decision Decision             `json:"decision"`
	// ToolCallID names the run_code tool call the block came from; empty
	// for fenced blocks.
	ToolCallID string `json:"tool_call_id,omitempty"`
}

// MetaExecution is the key under which the code-executor agent attaches its
// ExecutionRecord to its reply's Meta.
const MetaExecution = "execution"

type codeExecution struct {
	CodeExecution
	key struct{ agent string } // per-chat executor resource key
}

// WithCodeExecution makes the agent a code executor: when a message from
// another agent holds runnable fenced code blocks, each is put before the
// approver and the approved ones run; the reply gives the exit code and
// output in AutoGen's format so the writer can fix its code.
func WithCodeExecution(ce CodeExecution) Option {
	return func(a *ConversableAgent) error {
		if ce.Executor == nil && ce.NewExecutor == nil {
			return errors.New("code execution needs an Executor or NewExecutor")
		}
		c := &codeExecution{CodeExecution: ce}
		c.key.agent = a.name
		a.code = c
		return nil
	}
}

type executorCloser struct{ executors.Executor }

func (e executorCloser) Close() error { return e.Executor.Close() }

func (c *codeExecution) executor(ctx context.Context, chat *conversation.Chat) (executors.Executor, error) {
	if c.Executor != nil {
		return c.Executor, nil
	}
	r, err := chat.Resource(c.key, func() (io.Closer, error) {
		e, err := c.NewExecutor(ctx)
		if err != nil {
			return nil, err
		}
		return executorCloser{e}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("open executor: %w", err)
	}
	return r.(executorCloser).Executor, nil
}

// codeExecutionReply looks for code in the latest messages from others since
// this agent last spoke, newest first, and runs what the approver accepts.
func (a *ConversableAgent) codeExecutionReply(ctx context.Context, t *Turn) (conversation.Message, bool, error) {
	c := a.code
	if c == nil {
		return conversation.Message{}, false, nil
	}
	var blocks []markdown.Block
	for i := len(t.Messages) - 1; i >= 0; i-- {
		m := t.Messages[i]
		if m.Name == a.name {
			break
		}
		if blocks = markdown.ExtractRunnable([]byte(m.Content)); len(blocks) > 0 {
			break
		}
	}
	if len(blocks) == 0 {
		return conversation.Message{}, false, nil
	}
	// A block without its closing fence is most likely a reply cut off at
	// the model's token limit: its code may stop mid-statement, so it is
	// not put up for review or run, and the writer is asked to resend it.
	var cutNotes []string
	closed := blocks[:0:0]
	for _, b := range blocks {
		if b.Closed {
			closed = append(closed, b)
			continue
		}
		cutNotes = append(cutNotes, fmt.Sprintf("A %s code block has no closing fence (the message may have been cut off), so it was not run; send it again in full.", b.Language))
	}
	blocks = closed
	if len(blocks) == 0 {
		return conversation.Message{
			Content: noCodeRun + "\n\n" + strings.Join(cutNotes, "\n"),
			Origin:  conversation.OriginCode,
		}, true, nil
	}
	if c.Approver == nil {
		return conversation.Message{}, false, conversation.Stop(conversation.ReasonRefused,
			fmt.Sprintf("%s found %d code block(s) but has no approver, so nothing was run; approve blocks interactively on a terminal, or configure an explicit policy or auto-approval", a.name, len(blocks)))
	}

	rec := ExecutionRecord{ChatID: t.Chat.ID(), Agent: a.name, Executor: c.Describe, Started: time.Now().UTC()}
	cbs := make([]executors.CodeBlock, len(blocks))
	for i, b := range blocks {
		cbs[i] = executors.CodeBlock{Language: b.Language, Code: b.Code, Filename: b.Filename}
	}
	var stop error
	var err error
	rec.Blocks, stop, err = c.review(ctx, t.Chat.ID(), a.name, cbs, nil)
	if err != nil {
		return conversation.Message{}, false, err
	}
	if stop != nil {
		c.record(ctx, rec)
		return conversation.Message{}, false, stop
	}
	var toRun []executors.CodeBlock
	notes := cutNotes
	for i, br := range rec.Blocks {
		if br.Ran == nil {
			notes = append(notes, fmt.Sprintf("Block %d (%s) was not run: %s", i+1, br.Original.Language, skipNote(br.Decision)))
			continue
		}
		if br.Ran.Code != br.Original.Code {
			notes = append(notes, fmt.Sprintf("Block %d was edited by the reviewer before it ran.", i+1))
		}
		toRun = append(toRun, *br.Ran)
	}

	var reply string
	if len(toRun) > 0 {
		ex, err := c.executor(ctx, t.Chat)
		if err != nil {
			return conversation.Message{}, false, err
		}
		res, err := c.execute(ctx, ex, toRun, "")
		rec.Duration = time.Since(rec.Started)
		if err != nil {
			c.record(ctx, rec)
			return conversation.Message{}, false, fmt.Errorf("executing code: %w", err)
		}
		rec.Result = &res
		reply = executors.FormatReply(res)
	} else {
		reply = noCodeRun
	}
	c.record(ctx, rec)
	if len(notes) > 0 {
		reply += "\n\n" + strings.Join(notes, "\n")
	}
	return conversation.Message{Content: reply, Origin: conversation.OriginCode, Meta: executionMeta(rec)}, true, nil
}

// noCodeRun is the reply, in AutoGen's format, when no block ran.
const noCodeRun = "exitcode: 1 (execution failed)\nCode output: no code was run."

// executionMeta attaches rec to a reply's Meta under MetaExecution.
func executionMeta(rec ExecutionRecord) map[string]json.RawMessage {
	raw, err := json.Marshal(rec)
	if err != nil {
		return nil
	}
	return map[string]json.RawMessage{MetaExecution: raw}
}

// review puts blocks before the approver, in order, and returns a record of
// each decision; approved blocks have Ran set (with the reviewer's edits).
// It is shared by fenced blocks and run_code tool calls (callIDs, when
// given, name the call of each block), so both pass the same approval and
// audit path. stop is the *conversation.StopError that ends the chat when
// the reviewer aborted; err is a failure of the approver.
func (c *codeExecution) review(ctx context.Context, chatID, agent string, blocks []executors.CodeBlock, callIDs []string) (recs []BlockRecord, stop, err error) {
	runRest := false
	for i, cb := range blocks {
		br := BlockRecord{Original: cb}
		if callIDs != nil {
			br.ToolCallID = callIDs[i]
		}
		r := Review{Block: cb, Index: i + 1, Total: len(blocks), ChatID: chatID, Agent: agent, Executor: c.Describe}
		d := Decision{Action: ActionRun, By: "auto (run rest)"}
		if !runRest {
			d, err = c.Approver.Review(ctx, r)
			if err == nil {
				err = d.validate()
			}
			if err != nil {
				return recs, nil, fmt.Errorf("reviewing block %d: %w", i+1, err)
			}
		}
		br.Decision = d
		emit(ctx, &BlockReviewedEvent{Review: r, Decision: d})
		switch d.Action {
		case ActionAbort:
			recs = append(recs, br)
			reason := d.Reason
			if reason == "" {
				reason = "the reviewer aborted the chat"
			}
			return recs, conversation.Stop(conversation.ReasonAborted, reason), nil
		case ActionRun, ActionRunRest:
			if d.Action == ActionRunRest {
				runRest = true
			}
			ran := cb
			if d.Code != "" {
				ran.Code = d.Code
			}
			br.Ran = &ran
		}
		recs = append(recs, br)
	}
	return recs, nil, nil
}

// skipNote tells the writer why a block did not run.
func skipNote(d Decision) string {
	if d.Reason != "" {
		return "the reviewer skipped it: " + d.Reason
	}
	return "the reviewer skipped it"
}

// execute runs blocks on ex, announcing start and end as events.
func (c *codeExecution) execute(ctx context.Context, ex executors.Executor, blocks []executors.CodeBlock, callID string) (executors.Result, error) {
	emit(ctx, &ExecutionStartedEvent{Executor: c.Describe, Blocks: blocks, CallID: callID})
	start := time.Now()
	res, err := ex.Execute(ctx, blocks)
	emit(ctx, &ExecutionFinishedEvent{Executor: c.Describe, CallID: callID, Result: res, Err: err, Duration: time.Since(start)})
	return res, err
}

func (c *codeExecution) record(ctx context.Context, rec ExecutionRecord) {
	if c.OnRecord != nil {
		c.OnRecord(ctx, rec)
	}
}
