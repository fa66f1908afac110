package agents

import (
	"context"
	"errors"
	"sync"
)

// HumanInputMode says when an agent asks its human for input, with AutoGen's
// semantics.
type HumanInputMode int

const (
	// HumanNever never asks; the agent replies automatically until its
	// limit of consecutive automatic replies, then ends the chat.
	HumanNever HumanInputMode = iota
	// HumanTerminate asks only when the chat would end: on a termination
	// message or at the limit of consecutive automatic replies.
	HumanTerminate
	// HumanAlways asks at every turn. An empty answer lets the agent reply
	// automatically; "exit" ends the chat; other text is sent instead.
	HumanAlways
)

func (m HumanInputMode) String() string {
	switch m {
	case HumanNever:
		return "NEVER"
	case HumanTerminate:
		return "TERMINATE"
	case HumanAlways:
		return "ALWAYS"
	}
	return "unknown"
}

// Human is a person who can be asked for input. Terminal implementations
// live in their own package; ScriptedHuman answers from a script.
type Human interface {
	// Input shows prompt and returns what the human typed (without the
	// final newline). An empty string means the human just pressed Enter.
	Input(ctx context.Context, prompt string) (string, error)
}

// HumanFunc adapts a function to the Human interface.
type HumanFunc func(ctx context.Context, prompt string) (string, error)

// Input calls f.
func (f HumanFunc) Input(ctx context.Context, prompt string) (string, error) { return f(ctx, prompt) }

// ErrScriptExhausted is returned by a ScriptedHuman with no lines left.
var ErrScriptExhausted = errors.New("scripted human: no answers left")

// ScriptedHuman answers prompts with prepared lines, in order, and records
// the prompts it was shown. It is for tests and demos.
type ScriptedHuman struct {
	mu      sync.Mutex
	answers []string
	prompts []string
}

// NewScriptedHuman returns a human who will answer with answers, in order.
func NewScriptedHuman(answers ...string) *ScriptedHuman {
	return &ScriptedHuman{answers: answers}
}

// Input returns the next scripted answer.
func (h *ScriptedHuman) Input(ctx context.Context, prompt string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.prompts = append(h.prompts, prompt)
	if len(h.answers) == 0 {
		return "", ErrScriptExhausted
	}
	a := h.answers[0]
	h.answers = h.answers[1:]
	return a, nil
}

// Prompts returns the prompts shown so far.
func (h *ScriptedHuman) Prompts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.prompts...)
}
