package conversation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// Resumed is a transcript file opened to continue its chat: the messages it
// holds, and the file positioned to append the chat's next messages.
//
// A transcript cut by a crash (a process killed in the middle of writing a
// line) is repaired when it is opened: the partial last line is removed from
// the file, so that the lines appended after it stay whole.
type Resumed struct {
	// Path is the transcript file.
	Path string
	// History holds the whole messages of the file.
	History []Message
	// DroppedBytes counts the bytes of a partial last line that was removed;
	// zero when the file ended cleanly.
	DroppedBytes int
	file         *os.File
}

// Resume opens the JSON Lines transcript at path to continue its chat. Run
// the chat with the returned value's Options and an empty first message:
//
//	r, err := conversation.Resume("chat.jsonl")
//	...
//	defer r.Close()
//	res, err := conversation.Initiate(ctx, a, b, "", r.Options()...)
//
// Whoever did not send the last message speaks next (in a group chat, the
// selector picks after the last speaker). A malformed line other than the
// last is an error naming the line: such a file was not cut by a crash, and
// is left untouched.
func Resume(path string) (*Resumed, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("resume: %w", err)
	}
	r, err := resume(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("resume %s: %w", path, err)
	}
	r.Path = path
	return r, nil
}

func resume(f *os.File) (*Resumed, error) {
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	msgs, err := ReadTranscript(bytes.NewReader(data))
	r := &Resumed{History: msgs, file: f}
	keep := len(data)
	switch {
	case errors.Is(err, ErrTruncatedTranscript):
		keep = bytes.LastIndexByte(data, '\n') + 1
		r.DroppedBytes = len(data) - keep
		if err := f.Truncate(int64(keep)); err != nil {
			return nil, fmt.Errorf("remove the partial last line: %w", err)
		}
	case err != nil:
		return nil, err
	}
	if _, err := f.Seek(int64(keep), io.SeekStart); err != nil {
		return nil, err
	}
	if keep > 0 && data[keep-1] != '\n' {
		// A whole last message without its newline: end the line so the
		// next message starts on its own.
		if _, err := f.Write([]byte{'\n'}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Options returns the chat options that continue the chat: its history, and
// the file as its transcript, so that new messages are appended to it.
func (r *Resumed) Options() []Option {
	return []Option{WithHistory(r.History), WithTranscript(r.file)}
}

// Close closes the transcript file.
func (r *Resumed) Close() error { return r.file.Close() }

// ResumeChat continues the two-agent chat whose transcript is at path,
// appending to it; a and b are the chat's initiator and recipient.
func ResumeChat(ctx context.Context, path string, initiator, recipient Participant, opts ...Option) (*Result, error) {
	r, err := Resume(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return InitiateMessage(ctx, initiator, recipient, Message{}, append(r.Options(), opts...)...)
}
