package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
)

// errInterrupted is the cause of a block's context when the user pressed
// Ctrl-C while it ran.
var errInterrupted = errors.New("interrupted by the user (Ctrl-C)")

// interrupter turns signals into cancellations: Ctrl-C while a block runs
// stops that block only; a second Ctrl-C, one while nothing runs, or
// SIGTERM ends the session.
type interrupter struct {
	mu         sync.Mutex
	endSession context.CancelFunc
	block      context.CancelCauseFunc
	stopped    bool
	out        io.Writer
}

func newInterrupter(endSession context.CancelFunc, out io.Writer) *interrupter {
	return &interrupter{endSession: endSession, out: out}
}

// watch handles signals until ctx is done.
func (i *interrupter) watch(ctx context.Context, sigs <-chan os.Signal) {
	if sigs == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-sigs:
			i.signal(s)
		}
	}
}

func (i *interrupter) signal(s os.Signal) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if s == os.Interrupt && i.block != nil && !i.stopped {
		i.stopped = true
		i.block(errInterrupted)
		fmt.Fprintln(i.out, "\n^C: stopping the running block; the writer will be told. Press Ctrl-C again to end the session.")
		return
	}
	what := "^C"
	if s == syscall.SIGTERM {
		what = "SIGTERM"
	}
	fmt.Fprintf(i.out, "\n%s: ending the session; stopping everything it started.\n", what)
	i.endSession()
}

// running registers the cancel function of the block about to run; the
// returned function unregisters it and reports whether Ctrl-C stopped it.
func (i *interrupter) running(cancel context.CancelCauseFunc) (done func() (interrupted bool)) {
	i.mu.Lock()
	i.block, i.stopped = cancel, false
	i.mu.Unlock()
	return func() bool {
		i.mu.Lock()
		defer i.mu.Unlock()
		i.block = nil
		return i.stopped
	}
}
