package conversation

import "time"

// Result is what a finished chat leaves: its whole history and why it ended.
// A chat that ends on an error still returns its Result, so nothing of the
// transcript is lost.
type Result struct {
	ChatID  string    `json:"chat_id"`
	History []Message `json:"history"`
	// Summary is the content of the last message with content.
	Summary string `json:"summary"`
	// Usage is the token usage of the whole chat; UsageByAgent splits it by
	// sender name.
	Usage        Usage            `json:"usage"`
	UsageByAgent map[string]Usage `json:"usage_by_agent,omitempty"`
	// Turns counts the initiator's messages (AutoGen's turns).
	Turns    int           `json:"turns"`
	Reason   StopReason    `json:"reason"`
	Detail   string        `json:"detail,omitempty"`
	Duration time.Duration `json:"duration"`
	// Err is the error that ended the chat when Reason is ReasonError or
	// ReasonCancelled.
	Err error `json:"-"`
}

func summarise(r *Result) {
	r.UsageByAgent = map[string]Usage{}
	for _, m := range r.History {
		if m.Content != "" {
			r.Summary = m.Content
		}
		if m.Usage != nil {
			r.Usage = r.Usage.Add(*m.Usage)
			r.UsageByAgent[m.Name] = r.UsageByAgent[m.Name].Add(*m.Usage)
		}
	}
}
