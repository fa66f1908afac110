package conversation

import (
	"errors"
	"fmt"
)

// StopReason says why a chat ended.
type StopReason string

// Reasons a chat ends.
const (
	ReasonMaxTurns     StopReason = "max_turns"      // the turn limit was reached
	ReasonTermination  StopReason = "termination"    // a message met the termination condition
	ReasonNoReply      StopReason = "no_reply"       // a participant had nothing to say
	ReasonMaxAutoReply StopReason = "max_auto_reply" // a participant reached its limit of consecutive automatic replies
	ReasonHumanExit    StopReason = "human_exit"     // a human typed exit
	ReasonAborted      StopReason = "aborted"        // a participant (e.g. a reviewer of code) aborted the chat
	ReasonRefused      StopReason = "refused"        // a participant refused to act (e.g. code execution not allowed)
	ReasonCancelled    StopReason = "cancelled"      // the context was cancelled or its deadline passed
	ReasonError        StopReason = "error"          // a participant failed
	ReasonMaxRounds    StopReason = "max_rounds"     // a group chat reached its round limit
)

// StopError is returned by a participant's Reply to end the chat on purpose.
// The chat result carries its reason and detail.
type StopError struct {
	Reason StopReason
	Detail string
}

func (e *StopError) Error() string {
	if e.Detail == "" {
		return "chat stopped: " + string(e.Reason)
	}
	return fmt.Sprintf("chat stopped: %s: %s", e.Reason, e.Detail)
}

// Stop returns a StopError; a participant returns it from Reply to end the
// chat.
func Stop(reason StopReason, detail string) error {
	return &StopError{Reason: reason, Detail: detail}
}

// ErrNoReply is returned by a participant that has nothing to say; the chat
// ends with ReasonNoReply.
var ErrNoReply = &StopError{Reason: ReasonNoReply}

// stopOf returns the StopError in err's chain, if any.
func stopOf(err error) (*StopError, bool) {
	var se *StopError
	if errors.As(err, &se) {
		return se, true
	}
	return nil, false
}
