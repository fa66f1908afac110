package agents

import (
	"context"
	"fmt"

	"github.com/parley-go/parley/conversation"
)

// LLMMessages renders a transcript from the agent's point of view: its own
// messages are the assistant's, everyone else's are the user's (named), tool
// results become tool messages, and the system message comes first.
func (a *ConversableAgent) LLMMessages(ms []conversation.Message) []LLMMessage {
	out := make([]LLMMessage, 0, len(ms)+1)
	if a.system != "" {
		out = append(out, LLMMessage{Role: LLMSystem, Content: a.system})
	}
	for _, m := range ms {
		switch {
		case m.Role == conversation.RoleSystem:
			out = append(out, LLMMessage{Role: LLMSystem, Content: m.Content})
		case len(m.ToolResponses) > 0:
			for _, tr := range m.ToolResponses {
				out = append(out, LLMMessage{Role: LLMTool, Content: tr.Content, ToolCallID: tr.ToolCallID})
			}
		case m.Name == a.name:
			out = append(out, LLMMessage{Role: LLMAssistant, Content: m.Content, ToolCalls: m.ToolCalls})
		default:
			// Another agent's tool calls are not ours to answer; the model
			// sees their text only.
			out = append(out, LLMMessage{Role: LLMUser, Name: m.Name, Content: m.Content})
		}
	}
	return out
}

func (a *ConversableAgent) llmReply(ctx context.Context, t *Turn) (conversation.Message, bool, error) {
	if a.llm == nil {
		return conversation.Message{}, false, nil
	}
	req := LLMRequest{Messages: a.LLMMessages(t.Messages), Tools: a.toolSpecs()}
	if a.onToken != nil || hasSubscribers(ctx) {
		req.OnToken = func(tok string) {
			emit(ctx, &TokenEvent{Token: tok})
			if a.onToken != nil {
				a.onToken(a.name, tok)
			}
		}
	}
	resp, err := a.llm.Complete(ctx, req)
	if err != nil {
		return conversation.Message{}, false, fmt.Errorf("%s's model: %w", a.name, err)
	}
	usage := resp.Usage
	return conversation.Message{
		Content:   resp.Content,
		ToolCalls: resp.ToolCalls,
		Origin:    conversation.OriginLLM,
		Usage:     &usage,
	}, true, nil
}
