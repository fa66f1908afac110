package conversation

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// TranscriptWriter writes messages as JSON Lines, one message per line, each
// line written with a single Write call as the message arrives, so a reader
// (or a crash) sees whole lines only, except possibly the very last.
type TranscriptWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewTranscriptWriter returns a writer of JSON Lines to w. If w has a Sync
// method (an *os.File) it is called after each line.
func NewTranscriptWriter(w io.Writer) *TranscriptWriter { return &TranscriptWriter{w: w} }

type syncer interface{ Sync() error }

type flusher interface{ Flush() error }

// Write appends one message line.
func (t *TranscriptWriter) Write(m Message) error {
	line, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("transcript: encode message: %w", err)
	}
	line = append(line, '\n')
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, err := t.w.Write(line); err != nil {
		return fmt.Errorf("transcript: write: %w", err)
	}
	switch w := t.w.(type) {
	case flusher:
		if err := w.Flush(); err != nil {
			return fmt.Errorf("transcript: flush: %w", err)
		}
	case syncer:
		// Best effort: a pipe or terminal cannot sync, and that is fine.
		_ = w.Sync()
	}
	return nil
}

// ErrTruncatedTranscript reports that the last line of a transcript was cut
// (for example by a crash mid-write). ReadTranscript returns the whole
// messages before it together with this error.
var ErrTruncatedTranscript = errors.New("transcript: last line is incomplete")

// ReadTranscript reads JSON Lines messages from r. A last line cut short by a
// crash is dropped and reported with ErrTruncatedTranscript alongside the
// messages before it; a malformed line elsewhere is an error naming the line.
func ReadTranscript(r io.Reader) ([]Message, error) {
	br := bufio.NewReader(r)
	var msgs []Message
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			complete := line[len(line)-1] == '\n'
			trimmed := bytes.TrimSpace(line)
			if len(trimmed) > 0 {
				var m Message
				if jerr := json.Unmarshal(trimmed, &m); jerr != nil {
					if !complete {
						return msgs, fmt.Errorf("%w (line %d)", ErrTruncatedTranscript, lineNo)
					}
					return msgs, fmt.Errorf("transcript: line %d: %w", lineNo, jerr)
				}
				msgs = append(msgs, m)
			}
		}
		if errors.Is(err, io.EOF) {
			return msgs, nil
		}
		if err != nil {
			return msgs, fmt.Errorf("transcript: read: %w", err)
		}
	}
}
