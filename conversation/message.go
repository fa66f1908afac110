package conversation

import (
	"encoding/json"
	"time"
)

// Role says how a message reads to the model. Most messages leave it empty:
// whether a message is the model's own ("assistant") or someone else's
// ("user") depends on which agent is reading, so agents derive it from Name.
type Role string

// Roles a message may carry explicitly.
const (
	RoleSystem Role = "system"
	RoleTool   Role = "tool"
)

// Origin records what produced a message, so that a transcript shows whether
// a human typed it, a model wrote it, or code ran.
type Origin string

// Origins of messages.
const (
	OriginUnknown  Origin = ""
	OriginHuman    Origin = "human"
	OriginLLM      Origin = "llm"
	OriginCode     Origin = "code"     // a code-execution result
	OriginTool     Origin = "tool"     // tool-call results
	OriginFunction Origin = "function" // a Go reply function
	OriginInitial  Origin = "initial"  // the message that started the chat
)

// Message is one entry of a chat transcript.
type Message struct {
	// Name is the sender's name; the chat engine fills it in.
	Name string `json:"name"`
	// Role is set only for system and tool messages (see Role).
	Role Role `json:"role,omitempty"`
	// Content is the text of the message.
	Content string `json:"content"`
	// ToolCalls are the model's requests to call tools.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// ToolResponses answer the tool calls of the previous message.
	ToolResponses []ToolResponse `json:"tool_responses,omitempty"`
	// Origin says what produced the message.
	Origin Origin `json:"origin,omitempty"`
	// Usage is the token usage spent producing the message, if any.
	Usage *Usage `json:"usage,omitempty"`
	// Time is when the message joined the transcript.
	Time time.Time `json:"time"`
	// Meta carries structured data a participant attaches (for example the
	// code-executor agent's execution record) for exporters and audit.
	Meta map[string]json.RawMessage `json:"meta,omitempty"`
}

// ToolCall is a model's request to call a tool.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// ToolResponse is the result of one tool call.
type ToolResponse struct {
	ToolCallID string `json:"tool_call_id"`
	Name       string `json:"name,omitempty"`
	Content    string `json:"content"`
	IsError    bool   `json:"is_error,omitempty"`
}

// Usage counts model tokens.
type Usage struct {
	Model            string `json:"model,omitempty"`
	PromptTokens     int    `json:"prompt_tokens"`
	CompletionTokens int    `json:"completion_tokens"`
	TotalTokens      int    `json:"total_tokens"`
}

// Add returns the sum of u and v. The model is kept when both agree.
func (u Usage) Add(v Usage) Usage {
	model := u.Model
	if model == "" {
		model = v.Model
	} else if v.Model != "" && v.Model != model {
		model = "mixed"
	}
	return Usage{
		Model:            model,
		PromptTokens:     u.PromptTokens + v.PromptTokens,
		CompletionTokens: u.CompletionTokens + v.CompletionTokens,
		TotalTokens:      u.TotalTokens + v.TotalTokens,
	}
}

// IsEmpty reports whether the message carries nothing to read.
func (m Message) IsEmpty() bool {
	return m.Content == "" && len(m.ToolCalls) == 0 && len(m.ToolResponses) == 0
}
