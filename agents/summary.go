package agents

import (
	"context"
	"fmt"
	"strings"

	"github.com/parley-go/parley/conversation"
)

// DefaultReflectionPrompt is AutoGen's prompt for reflection summaries.
const DefaultReflectionPrompt = "Summarize the takeaway from the conversation. Do not add any introductory phrases."

// ReflectionSummary returns the "reflection with LLM" summary method: the
// model reads the whole chat and writes its takeaway. An empty prompt means
// DefaultReflectionPrompt. Use it as conversation.SequentialChat.Summary or
// NestedChat.Summary.
func ReflectionSummary(llm LLM, prompt string) conversation.SummaryMethod {
	if prompt == "" {
		prompt = DefaultReflectionPrompt
	}
	return func(ctx context.Context, r *conversation.Result) (string, error) {
		if llm == nil {
			return "", fmt.Errorf("reflection summary needs an LLM")
		}
		msgs := make([]LLMMessage, 0, len(r.History)+1)
		for _, m := range r.History {
			if m.Content == "" {
				continue
			}
			msgs = append(msgs, LLMMessage{Role: LLMUser, Name: m.Name, Content: m.Content})
		}
		msgs = append(msgs, LLMMessage{Role: LLMSystem, Content: prompt})
		resp, err := llm.Complete(ctx, LLMRequest{Messages: msgs})
		if err != nil {
			return "", fmt.Errorf("reflection summary: %w", err)
		}
		return strings.TrimSpace(resp.Content), nil
	}
}
