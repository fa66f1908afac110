package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parley-go/parley/conversation"
)

// Tool is a Go function offered to a model.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON Schema of the arguments object.
	Parameters map[string]any
	// Func runs the tool with the raw JSON arguments the model sent. Its
	// error goes back to the model as the tool's result.
	Func func(ctx context.Context, args json.RawMessage) (string, error)
}

type toolSet struct {
	forLLM  []ToolSpec
	forExec map[string]Tool
}

// WithToolsForLLM offers tools to the agent's model: their specs are sent
// with each request so the model may call them.
func WithToolsForLLM(tools ...Tool) Option {
	return func(a *ConversableAgent) error {
		ts := a.toolSet()
		for _, t := range tools {
			if t.Name == "" {
				return errors.New("a tool needs a name")
			}
			ts.forLLM = append(ts.forLLM, ToolSpec{Name: t.Name, Description: t.Description, Parameters: t.Parameters})
		}
		return nil
	}
}

// WithToolsForExecution makes the agent execute calls to tools, made by
// whichever agent's model called them (the caller and the executor may be
// different agents, as in AutoGen).
func WithToolsForExecution(tools ...Tool) Option {
	return func(a *ConversableAgent) error {
		ts := a.toolSet()
		for _, t := range tools {
			if t.Name == "" || t.Func == nil {
				return errors.New("a tool for execution needs a name and a Func")
			}
			ts.forExec[t.Name] = t
		}
		return nil
	}
}

// WithTools offers tools to the agent's model and makes the agent execute
// the calls: WithToolsForLLM and WithToolsForExecution together, for an
// agent that calls and runs its own tools.
func WithTools(tools ...Tool) Option {
	return func(a *ConversableAgent) error {
		if err := WithToolsForLLM(tools...)(a); err != nil {
			return err
		}
		return WithToolsForExecution(tools...)(a)
	}
}

func (a *ConversableAgent) toolSet() *toolSet {
	if a.tools == nil {
		a.tools = &toolSet{forExec: map[string]Tool{}}
	}
	return a.tools
}

func (a *ConversableAgent) toolSpecs() []ToolSpec {
	if a.tools == nil {
		return nil
	}
	return a.tools.forLLM
}

// toolCallsReply executes the tool calls of the latest message, concurrently,
// and answers with their results in call order. Unknown tools, malformed
// arguments and failing functions become error results for the model; they
// never end the chat. run_code calls go through the agent's code execution:
// they are reviewed first, one by one, then run in parallel with the other
// calls on the chat's executor pool.
func (a *ConversableAgent) toolCallsReply(ctx context.Context, t *Turn) (conversation.Message, bool, error) {
	last, ok := t.Last()
	if !ok || len(last.ToolCalls) == 0 {
		return conversation.Message{}, false, nil
	}
	runCode := a.handlesRunCode()
	var runIdx []int
	if runCode {
		for i, call := range last.ToolCalls {
			if call.Name == RunCodeToolName {
				runIdx = append(runIdx, i)
			}
		}
	}
	if len(runIdx) == 0 && (a.tools == nil || len(a.tools.forExec) == 0) {
		return conversation.Message{}, false, nil
	}
	calls := last.ToolCalls
	results := make([]conversation.ToolResponse, len(calls))
	var plan *runCodePlan
	if len(runIdx) > 0 {
		var err error
		if plan, err = a.planRunCode(ctx, t, calls, runIdx, results); err != nil {
			return conversation.Message{}, false, err
		}
	}
	var wg sync.WaitGroup
	var runErr error
	if plan != nil && len(plan.rec.Blocks) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runErr = a.runPlanned(ctx, t.Chat, calls, plan, results)
		}()
	}
	for i, call := range calls {
		if runCode && call.Name == RunCodeToolName {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			emit(ctx, &ToolCallEvent{Call: call})
			start := time.Now()
			results[i] = a.callTool(ctx, call)
			emit(ctx, &ToolResultEvent{Result: results[i], Duration: time.Since(start)})
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return conversation.Message{}, false, err
	}
	if runErr != nil {
		return conversation.Message{}, false, runErr
	}
	msg := conversation.Message{ToolResponses: results, Origin: conversation.OriginTool, Role: conversation.RoleTool}
	if plan != nil && len(plan.rec.Blocks) > 0 {
		msg.Meta = executionMeta(plan.rec)
	}
	return msg, true, nil
}

func toolError(call conversation.ToolCall, format string, args ...any) conversation.ToolResponse {
	return conversation.ToolResponse{ToolCallID: call.ID, Name: call.Name, IsError: true, Content: "Error: " + fmt.Sprintf(format, args...)}
}

func (a *ConversableAgent) callTool(ctx context.Context, call conversation.ToolCall) (res conversation.ToolResponse) {
	fail := func(format string, args ...any) conversation.ToolResponse { return toolError(call, format, args...) }
	var tool Tool
	ok := false
	if a.tools != nil {
		tool, ok = a.tools.forExec[call.Name]
	}
	if !ok {
		return fail("unknown tool %q", call.Name)
	}
	args := json.RawMessage(call.Arguments)
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	if !json.Valid(args) {
		return fail("the arguments of %s are not valid JSON: %q", call.Name, call.Arguments)
	}
	defer func() {
		// A panicking tool must not take the chat (or the process) down.
		if p := recover(); p != nil {
			res = fail("tool %s panicked: %v", call.Name, p)
		}
	}()
	out, err := tool.Func(ctx, args)
	if err != nil {
		return fail("%v", err)
	}
	return conversation.ToolResponse{ToolCallID: call.ID, Name: call.Name, Content: out}
}
