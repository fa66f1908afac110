package agents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

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
// never end the chat.
func (a *ConversableAgent) toolCallsReply(ctx context.Context, t *Turn) (conversation.Message, bool, error) {
	last, ok := t.Last()
	if !ok || len(last.ToolCalls) == 0 || a.tools == nil || len(a.tools.forExec) == 0 {
		return conversation.Message{}, false, nil
	}
	results := make([]conversation.ToolResponse, len(last.ToolCalls))
	var wg sync.WaitGroup
	for i, call := range last.ToolCalls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = a.callTool(ctx, call)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return conversation.Message{}, false, err
	}
	return conversation.Message{ToolResponses: results, Origin: conversation.OriginTool, Role: conversation.RoleTool}, true, nil
}

func (a *ConversableAgent) callTool(ctx context.Context, call conversation.ToolCall) (res conversation.ToolResponse) {
	res = conversation.ToolResponse{ToolCallID: call.ID, Name: call.Name}
	fail := func(format string, args ...any) conversation.ToolResponse {
		res.IsError = true
		res.Content = "Error: " + fmt.Sprintf(format, args...)
		return res
	}
	tool, ok := a.tools.forExec[call.Name]
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
	res.Content = out
	return res
}
