// Package audit writes a tamper-evident log of every code review and
// execution as JSON Lines, and verifies such logs.
//
// Each line is one Entry. Its "hash" is the SHA-256 of the line's bytes
// without the hash field, and its "prev" is the hash of the entry before
// it, so that altering, removing, inserting or reordering an entry breaks
// the chain at that point; Verify reports the first bad line. Cutting
// entries off the end leaves a valid shorter chain: to detect that, keep
// the head hash (Summary.Head) somewhere the log's writer cannot change.
//
// A Log is fed by agents.CodeExecution.OnRecord:
//
//	log, err := audit.Open("audit.jsonl")
//	...
//	ce := agents.CodeExecution{..., OnRecord: log.Record}
package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/executors"
)

// Kinds of entries.
const (
	KindReview    = "review"    // a decision on one block
	KindExecution = "execution" // one block that ran, with its result
	KindNotRun    = "not_run"   // an approved block that did not run (an earlier one failed, or the executor failed)
)

// Entry is one line of the log.
type Entry struct {
	Seq   int64     `json:"seq"`
	Time  time.Time `json:"time"`
	Kind  string    `json:"kind"`
	Chat  string    `json:"chat,omitempty"`
	Agent string    `json:"agent,omitempty"`
	// Block is the block's 1-based position in its message.
	Block    int    `json:"block,omitempty"`
	Language string `json:"language,omitempty"`
	Filename string `json:"filename,omitempty"`
	// BlockHash is "sha256:<hex>" of the code as the writer proposed it;
	// Code is that code.
	BlockHash string `json:"block_hash,omitempty"`
	Code      string `json:"code,omitempty"`

	// Review entries.
	Decision string   `json:"decision,omitempty"`
	By       string   `json:"by,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Advice   []string `json:"advice,omitempty"`
	// Edited is set when the reviewer changed the code; EditedCode and
	// RanHash are then the code that runs and its hash.
	Edited     bool   `json:"edited,omitempty"`
	EditedCode string `json:"edited_code,omitempty"`
	RanHash    string `json:"ran_hash,omitempty"`

	// Where it runs.
	Executor string            `json:"executor,omitempty"`
	Limits   *executors.Limits `json:"limits,omitempty"`

	// Execution entries.
	ExitCode     *int    `json:"exit_code,omitempty"`
	TimedOut     bool    `json:"timed_out,omitempty"`
	DurationMS   float64 `json:"duration_ms,omitempty"`
	OutputBytes  int64   `json:"output_bytes,omitempty"`
	OutputDigest string  `json:"output_digest,omitempty"` // "sha256:<hex>" of the output kept
	Truncated    bool    `json:"truncated,omitempty"`
	Error        string  `json:"error,omitempty"`

	// Prev is the hash of the previous entry, "" for the first.
	Prev string `json:"prev"`
	// Hash is the SHA-256 of this entry's line without the hash field.
	Hash string `json:"hash,omitempty"`
}

// Digest returns "sha256:<hex>" of s, the form used for code and output.
func Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Log appends hash-chained entries to a writer. It is safe for concurrent
// use; entries are written whole, one per Write call on the underlying
// writer.
type Log struct {
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
	seq    int64
	prev   string
	limits *executors.Limits
	now    func() time.Time
	err    error
}

// Option configures a Log.
type Option func(*Log)

// WithLimits records the executor's limits in every entry.
func WithLimits(l executors.Limits) Option { return func(g *Log) { g.limits = &l } }

// WithClock replaces time.Now (for tests).
func WithClock(now func() time.Time) Option { return func(g *Log) { g.now = now } }

// New starts a new chain written to w.
func New(w io.Writer, opts ...Option) *Log {
	g := &Log{w: w, now: time.Now}
	for _, o := range opts {
		o(g)
	}
	return g
}

// Open appends to the log file at path, creating it (mode 0600) if needed.
// An existing log is verified first and its chain continued; a log that does
// not verify is refused rather than extended, since appending would make
// the damage look legitimate.
func Open(path string, opts ...Option) (*Log, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	sum, err := Check(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: refusing to append to %s: %w", path, err)
	}
	g := New(f, opts...)
	g.closer = f
	g.seq, g.prev = sum.Entries, sum.Head
	return g, nil
}

// Err returns the first write error, if any. Record cannot return errors
// (it is a hook), so callers check Err at the end of a run.
func (g *Log) Err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

// Close closes the file opened by Open; for a Log made by New it does
// nothing. It returns the first write error too.
func (g *Log) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var cerr error
	if g.closer != nil {
		cerr = g.closer.Close()
		g.closer = nil
	}
	return errors.Join(g.err, cerr)
}

// Write stamps e with its sequence number, time (when zero) and chain
// hashes, and appends it.
func (g *Log) Write(e Entry) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.err != nil {
		return g.err
	}
	e.Seq = g.seq + 1
	if e.Time.IsZero() {
		e.Time = g.now().UTC()
	}
	if e.Limits == nil {
		e.Limits = g.limits
	}
	e.Prev, e.Hash = g.prev, ""
	line, hash, err := seal(e)
	if err != nil {
		g.err = fmt.Errorf("audit: %w", err)
		return g.err
	}
	if _, err := g.w.Write(line); err != nil {
		g.err = fmt.Errorf("audit: writing entry %d: %w", e.Seq, err)
		return g.err
	}
	g.seq, g.prev = e.Seq, hash
	return nil
}

// seal marshals e (whose Hash is empty) and appends the hash field.
func seal(e Entry) (line []byte, hash string, err error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(body)
	hash = hex.EncodeToString(sum[:])
	line = append(body[:len(body)-1], `,"hash":"`...)
	line = append(line, hash...)
	line = append(line, "\"}\n"...)
	return line, hash, nil
}

// Record writes the entries of one code-execution step: a review entry per
// block, then an execution entry per block that ran (or a not_run entry per
// approved block that did not). Its signature fits
// agents.CodeExecution.OnRecord; write errors are kept for Err.
func (g *Log) Record(_ context.Context, rec agents.ExecutionRecord) {
	base := Entry{Chat: rec.ChatID, Agent: rec.Agent, Executor: rec.Executor}
	type ran struct {
		index int
		entry Entry
	}
	var approved []ran
	for i, b := range rec.Blocks {
		e := base
		e.Kind = KindReview
		e.Block = i + 1
		e.Language, e.Filename = b.Original.Language, b.Original.Filename
		e.Code, e.BlockHash = b.Original.Code, Digest(b.Original.Code)
		e.Decision, e.By, e.Reason, e.Advice = b.Decision.Action.String(), b.Decision.By, b.Decision.Reason, b.Decision.Advice
		if b.Ran != nil {
			e.RanHash = Digest(b.Ran.Code)
			if b.Ran.Code != b.Original.Code {
				e.Edited, e.EditedCode = true, b.Ran.Code
			}
			x := base
			x.Block, x.Language, x.Filename = e.Block, b.Ran.Language, b.Ran.Filename
			x.BlockHash, x.RanHash = e.BlockHash, e.RanHash
			approved = append(approved, ran{i, x})
		}
		_ = g.Write(e)
	}
	var results []executors.BlockResult
	if rec.Result != nil {
		results = rec.Result.Blocks
	}
	for k, a := range approved {
		e := a.entry
		if k >= len(results) {
			e.Kind = KindNotRun
			switch {
			case rec.Result == nil:
				e.Error = "no result: the executor failed or the run was cancelled"
			default:
				e.Error = "not run: an earlier block failed"
			}
			_ = g.Write(e)
			continue
		}
		br := results[k]
		e.Kind = KindExecution
		code := br.ExitCode
		e.ExitCode = &code
		e.TimedOut = br.TimedOut
		e.DurationMS = float64(br.Duration.Microseconds()) / 1000
		e.OutputBytes = br.OutputBytes
		e.OutputDigest = Digest(br.Output)
		e.Truncated = br.Truncated
		_ = g.Write(e)
	}
}

// ChainError reports the first entry of a log that does not verify.
type ChainError struct {
	// Line is the 1-based line number in the log.
	Line int
	// Seq is the sequence number the entry claims, 0 when unreadable.
	Seq     int64
	Problem string
}

func (e *ChainError) Error() string {
	if e.Seq > 0 {
		return fmt.Sprintf("audit: line %d (entry %d): %s", e.Line, e.Seq, e.Problem)
	}
	return fmt.Sprintf("audit: line %d: %s", e.Line, e.Problem)
}

// Summary describes a log that verified.
type Summary struct {
	Entries int64
	// Head is the hash of the last entry ("" for an empty log). Keeping it
	// elsewhere lets a later check detect entries cut off the end.
	Head string
}

// Verify reads a log and returns a *ChainError for the first entry that was
// altered, removed, inserted or reordered, nil when the chain is intact.
func Verify(r io.Reader) error {
	_, err := Check(r)
	return err
}

var hashSuffix = []byte(`,"hash":"`)

// Check is Verify that also returns the log's summary.
func Check(r io.Reader) (Summary, error) {
	var sum Summary
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		if len(raw) == 0 && errors.Is(err, io.EOF) {
			return sum, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return sum, fmt.Errorf("audit: reading line %d: %w", line, err)
		}
		if !bytes.HasSuffix(raw, []byte("\n")) {
			return sum, &ChainError{Line: line, Problem: "the last line is incomplete (no newline): the log was cut or is still being written"}
		}
		raw = raw[:len(raw)-1]
		var e Entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return sum, &ChainError{Line: line, Problem: "not a JSON entry: " + err.Error()}
		}
		bad := func(format string, args ...any) (Summary, error) {
			return sum, &ChainError{Line: line, Seq: e.Seq, Problem: fmt.Sprintf(format, args...)}
		}
		// The hash covers the exact bytes before the hash field, so
		// fields added, removed or reformatted by hand are caught too.
		i := bytes.LastIndex(raw, hashSuffix)
		if i < 0 || len(raw)-i != len(hashSuffix)+64+2 || !bytes.HasSuffix(raw, []byte(`"}`)) {
			return bad("no hash field at the end of the entry")
		}
		body := append(raw[:i:i], '}')
		got := sha256.Sum256(body)
		if hex.EncodeToString(got[:]) != e.Hash {
			return bad("the entry was altered: its content does not match its hash")
		}
		if e.Seq != sum.Entries+1 {
			return bad("expected entry %d: entries are missing, duplicated or out of order", sum.Entries+1)
		}
		if e.Prev != sum.Head {
			return bad("the previous entry was removed or altered: prev does not match the hash before it")
		}
		sum.Entries, sum.Head = e.Seq, e.Hash
	}
}
