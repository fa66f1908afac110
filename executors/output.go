package executors

import (
	"fmt"
	"sync"
	"unicode/utf8"
)

// CappedOutput is an io.Writer that keeps at most a fixed number of bytes of
// what is written to it: the head, and a short tail so that the end of a long
// run (where tracebacks are) is not lost. Memory stays bounded however much
// is written. It is safe for concurrent writes, so stdout and stderr can share
// one and stay in the order they were written.
type CappedOutput struct {
	mu       sync.Mutex
	limit    int
	headCap  int
	head     []byte
	tail     []byte // ring buffer of the last tailCap bytes once head is full
	tailPos  int
	tailFull bool
	total    int64
}

// NewCappedOutput returns a writer keeping at most limit bytes (plus the
// marker). A limit of zero or less keeps DefaultOutputBytes.
func NewCappedOutput(limit int) *CappedOutput {
	if limit <= 0 {
		limit = DefaultOutputBytes
	}
	tailCap := limit / 4
	return &CappedOutput{limit: limit, headCap: limit - tailCap, tail: make([]byte, 0, tailCap)}
}

// Write never fails and always reports len(p) so that a writer feeding it
// (a pipe copy) keeps draining the program's output.
func (c *CappedOutput) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(p)
	c.total += int64(n)
	if room := c.headCap - len(c.head); room > 0 {
		k := min(room, len(p))
		c.head = append(c.head, p[:k]...)
		p = p[k:]
	}
	tailCap := cap(c.tail)
	if len(p) == 0 || tailCap == 0 {
		return n, nil
	}
	if len(p) >= tailCap {
		c.tail = append(c.tail[:0], p[len(p)-tailCap:]...)
		c.tailPos = 0
		c.tailFull = true
		return n, nil
	}
	for len(p) > 0 {
		if !c.tailFull {
			k := min(tailCap-len(c.tail), len(p))
			c.tail = append(c.tail, p[:k]...)
			p = p[k:]
			if len(c.tail) == tailCap {
				c.tailFull = true
				c.tailPos = 0
			}
			continue
		}
		k := copy(c.tail[c.tailPos:], p)
		p = p[k:]
		c.tailPos = (c.tailPos + k) % tailCap
	}
	return n, nil
}

// Total is the number of bytes written, kept or not.
func (c *CappedOutput) Total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// Truncated reports whether bytes were dropped.
func (c *CappedOutput) Truncated() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total > int64(c.limit)
}

// String returns what was kept. When bytes were dropped a marker line saying
// how many stands where they were.
func (c *CappedOutput) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total <= int64(c.limit) {
		// Nothing dropped: head and tail are contiguous.
		return string(c.head) + string(c.orderedTail())
	}
	tail := c.orderedTail()
	dropped := c.total - int64(len(c.head)) - int64(len(tail))
	head := trimPartialRuneEnd(c.head)
	tail = trimPartialRuneStart(tail)
	return fmt.Sprintf("%s\n[... output truncated: %d bytes omitted ...]\n%s", head, dropped, tail)
}

func (c *CappedOutput) orderedTail() []byte {
	if !c.tailFull {
		return c.tail
	}
	out := make([]byte, 0, len(c.tail))
	out = append(out, c.tail[c.tailPos:]...)
	return append(out, c.tail[:c.tailPos]...)
}

// trimPartialRuneEnd drops a UTF-8 sequence cut at the end of b.
func trimPartialRuneEnd(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		r := b[len(b)-i]
		if r < utf8.RuneSelf {
			return b
		}
		if utf8.RuneStart(r) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// trimPartialRuneStart drops continuation bytes at the start of b.
func trimPartialRuneStart(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && i < len(b); i++ {
		if utf8.RuneStart(b[i]) {
			return b[i:]
		}
	}
	return b
}
