package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// SummaryMethod turns a finished chat into the text carried over to later
// chats and returned by nested chats.
type SummaryMethod func(ctx context.Context, r *Result) (string, error)

// LastMessage is the default summary method: the content of the last message
// with content, without a trailing TERMINATE, as in AutoGen.
func LastMessage(_ context.Context, r *Result) (string, error) {
	for i := len(r.History) - 1; i >= 0; i-- {
		c := strings.TrimSpace(r.History[i].Content)
		c = strings.TrimSpace(strings.TrimSuffix(c, "TERMINATE"))
		if c != "" {
			return c, nil
		}
	}
	return "", nil
}

// SequentialChat is one chat of a sequence run by RunSequential.
type SequentialChat struct {
	// Initiator sends Message to Recipient, or to the Group when set (the
	// initiator must then be a member).
	Initiator Participant
	Recipient Participant
	Group     *GroupChat
	// Message starts the chat; the summaries of earlier chats are appended
	// as context (see CarryOver).
	Message string
	// CarryOver is extra context given to this chat before the summaries of
	// earlier chats.
	CarryOver []string
	// Summary makes the chat's summary (default LastMessage).
	Summary SummaryMethod
	// Options are this chat's options (max turns, termination, transcript).
	Options []Option
}

// WithCarryOver returns message followed by the carried-over context, in
// AutoGen's layout. It returns message unchanged when there is none.
func WithCarryOver(message string, carryOver []string) string {
	var parts []string
	for _, c := range carryOver {
		if strings.TrimSpace(c) != "" {
			parts = append(parts, c)
		}
	}
	if len(parts) == 0 {
		return message
	}
	return message + "\nContext:\n" + strings.Join(parts, "\n")
}

// RunSequential runs chats one after another. Each chat's summary is carried
// over into the first message of every later chat, so that a later chat
// builds on what earlier ones found. Each Result's Summary is the chat's
// summary by its SummaryMethod.
//
// It stops at the first chat that fails and returns the results so far
// (the failed chat's included) with the error.
func RunSequential(ctx context.Context, chats []SequentialChat) ([]*Result, error) {
	var results []*Result
	var carried []string
	for i, sc := range chats {
		msg := WithCarryOver(sc.Message, append(append([]string(nil), sc.CarryOver...), carried...))
		var (
			res *Result
			err error
		)
		switch {
		case sc.Group != nil:
			res, err = sc.Group.Run(ctx, sc.Initiator, msg, sc.Options...)
		case sc.Recipient != nil:
			res, err = Initiate(ctx, sc.Initiator, sc.Recipient, msg, sc.Options...)
		default:
			err = errors.New("conversation: a sequential chat needs a Recipient or a Group")
		}
		if res != nil {
			results = append(results, res)
		}
		if err != nil {
			return results, fmt.Errorf("sequential chat %d: %w", i+1, err)
		}
		summary := sc.Summary
		if summary == nil {
			summary = LastMessage
		}
		s, err := summary(ctx, res)
		if err != nil {
			return results, fmt.Errorf("sequential chat %d: summary: %w", i+1, err)
		}
		res.Summary = s
		carried = append(carried, s)
	}
	return results, nil
}
