package agents

import (
	"context"

	"github.com/parley-go/parley/conversation"
)

// LLM is a chat-completion model as the agents see it. The OpenAI type
// implements it for any OpenAI-compatible endpoint.
type LLM interface {
	Complete(ctx context.Context, req LLMRequest) (LLMResponse, error)
}

// LLMRole is the role of a message sent to a model.
type LLMRole string

// Roles of messages sent to a model.
const (
	LLMSystem    LLMRole = "system"
	LLMUser      LLMRole = "user"
	LLMAssistant LLMRole = "assistant"
	LLMTool      LLMRole = "tool"
)

// LLMMessage is one message of a model request, already seen from the
// requesting agent's point of view.
type LLMMessage struct {
	Role       LLMRole
	Name       string
	Content    string
	ToolCalls  []conversation.ToolCall
	ToolCallID string
}

// ToolSpec describes a tool the model may call.
type ToolSpec struct {
	Name        string
	Description string
	// Parameters is a JSON Schema object for the arguments.
	Parameters map[string]any
}

// LLMRequest is one call to a model.
type LLMRequest struct {
	Messages []LLMMessage
	Tools    []ToolSpec
	// OnToken, when set, asks for a streamed reply and receives each
	// content fragment as it arrives.
	OnToken func(string)
}

// LLMResponse is a model's answer.
type LLMResponse struct {
	Content      string
	ToolCalls    []conversation.ToolCall
	Usage        conversation.Usage
	FinishReason string
}

// LLMFunc adapts a function to the LLM interface, for tests and for models
// reached by other means.
type LLMFunc func(ctx context.Context, req LLMRequest) (LLMResponse, error)

// Complete calls f.
func (f LLMFunc) Complete(ctx context.Context, req LLMRequest) (LLMResponse, error) {
	return f(ctx, req)
}
