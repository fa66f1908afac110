package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/parley-go/parley/agents"
)

// Verdict is the structured answer the LLM reviewer asks the model for.
type Verdict struct {
	Safe bool `json:"safe"`
	// Risk is "low", "medium" or "high".
	Risk    string   `json:"risk"`
	Reasons []string `json:"reasons"`
}

// LLMReviewer is an approver that asks a model whether a block is safe to
// run. By default its verdict is advice only: the block is passed on with
// the model's risk and reasons. A model can be wrong or be talked round by
// the code it reviews, so the reviewer approves only in "policy decides"
// mode (Approve), and a verdict it cannot read never approves anything.
type LLMReviewer struct {
	LLM agents.LLM
	// Deny skips blocks the model judges unsafe.
	Deny bool
	// Approve is "policy decides" mode: blocks the model judges safe with
	// low risk run without asking anyone.
	Approve bool
	// Instructions replace the default system message (ReviewerPrompt).
	Instructions string
}

// ReviewerPrompt is the default system message of the LLM reviewer.
const ReviewerPrompt = `You review code that an AI assistant wants to run on a user's machine.
Judge whether running it is safe: no deleting or overwriting files outside its working directory,
no network access, no reading secrets (keys, tokens, credentials, environment variables),
no privilege changes, no installing software, no starting background or long-running processes,
nothing that affects the whole system. Code that only computes and prints is safe.
Answer with one JSON object and nothing else:
{"safe": true|false, "risk": "low"|"medium"|"high", "reasons": ["short reason", ...]}`

const llmBy = "policy:llm"

// Review implements agents.Approver.
func (l LLMReviewer) Review(ctx context.Context, r agents.Review) (agents.Decision, error) {
	if l.LLM == nil {
		return agents.Decision{}, errors.New("policy: LLMReviewer has no LLM")
	}
	sys := l.Instructions
	if sys == "" {
		sys = ReviewerPrompt
	}
	var u strings.Builder
	fmt.Fprintf(&u, "Language: %s\n", r.Block.Language)
	if r.Block.Filename != "" {
		fmt.Fprintf(&u, "Saved as: %s\n", r.Block.Filename)
	}
	if r.Executor != "" {
		fmt.Fprintf(&u, "Runs in: %s\n", r.Executor)
	}
	if len(r.Advice) > 0 {
		fmt.Fprintf(&u, "Findings of a static check: %s\n", strings.Join(r.Advice, "; "))
	}
	// A fence longer than any backtick run in the code keeps the code from
	// closing it and smuggling text into the instructions.
	fence := strings.Repeat("`", max(3, longestRun(r.Block.Code, '`')+1))
	fmt.Fprintf(&u, "Code:\n%s%s\n%s\n%s\n", fence, r.Block.Language, strings.TrimRight(r.Block.Code, "\n"), fence)

	resp, err := l.LLM.Complete(ctx, agents.LLMRequest{Messages: []agents.LLMMessage{
		{Role: agents.LLMSystem, Content: sys},
		{Role: agents.LLMUser, Content: u.String()},
	}})
	if err != nil {
		if ctx.Err() != nil {
			return agents.Decision{}, err
		}
		// The reviewer is advice: a failing model leaves the decision to
		// the next approver rather than ending the chat.
		return agents.Decision{Action: agents.ActionPass, By: llmBy, Advice: []string{"llm: the reviewer failed: " + err.Error()}}, nil
	}
	v, err := ParseVerdict(resp.Content)
	if err != nil {
		return agents.Decision{Action: agents.ActionPass, By: llmBy, Advice: []string{"llm: " + err.Error()}}, nil
	}
	advice := []string{v.String()}
	switch {
	case !v.Safe && l.Deny:
		reason := "the LLM reviewer judged it unsafe"
		if len(v.Reasons) > 0 {
			reason += ": " + strings.Join(v.Reasons, "; ")
		}
		return agents.Decision{Action: agents.ActionSkip, Reason: reason, By: llmBy, Advice: advice}, nil
	case v.Safe && v.Risk == "low" && l.Approve:
		return agents.Decision{Action: agents.ActionRun, By: llmBy, Advice: advice}, nil
	}
	return agents.Decision{Action: agents.ActionPass, By: llmBy, Advice: advice}, nil
}

// String is the verdict as advice: "llm: unsafe, risk high: reads ~/.ssh".
func (v Verdict) String() string {
	s := "llm: safe"
	if !v.Safe {
		s = "llm: unsafe"
	}
	s += ", risk " + v.Risk
	if len(v.Reasons) > 0 {
		s += ": " + strings.Join(v.Reasons, "; ")
	}
	return s
}

// ParseVerdict reads a model's verdict: a JSON object, possibly inside a
// markdown fence or surrounded by prose. A verdict without "safe", or with
// an unknown risk, is an error: it cannot be trusted either way.
func ParseVerdict(s string) (Verdict, error) {
	start, end := strings.Index(s, "{"), strings.LastIndex(s, "}")
	if start < 0 || end < start {
		return Verdict{}, fmt.Errorf("the reviewer's answer holds no JSON object: %q", clip(s, 120))
	}
	var raw struct {
		Safe    *bool    `json:"safe"`
		Risk    string   `json:"risk"`
		Reasons []string `json:"reasons"`
	}
	if err := json.Unmarshal([]byte(s[start:end+1]), &raw); err != nil {
		return Verdict{}, fmt.Errorf("the reviewer's verdict is not valid JSON: %w", err)
	}
	if raw.Safe == nil {
		return Verdict{}, errors.New(`the reviewer's verdict has no "safe" field`)
	}
	v := Verdict{Safe: *raw.Safe, Risk: strings.ToLower(strings.TrimSpace(raw.Risk)), Reasons: raw.Reasons}
	switch v.Risk {
	case "low", "medium", "high":
	default:
		return Verdict{}, fmt.Errorf("the reviewer's verdict has an unknown risk %q (want low, medium or high)", raw.Risk)
	}
	return v, nil
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
