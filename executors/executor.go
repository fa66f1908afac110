// Package executors holds the contract every Parley code executor honours:
// the [Executor] interface, the [CodeBlock] it runs, the per-block
// [BlockResult], the shared [Limits], and pieces every executor needs (an
// output cap that keeps memory bounded, safe file naming, the reply format the
// writer agent reads).
//
// Executors are security boundaries. An implementation must stop the whole
// process tree of a block when its deadline passes, cap the output it keeps,
// never hand the secrets of our own process to executed code, and leave
// nothing running after Close.
//
// Concrete executors live in their own packages (executors/local,
// executors/docker, executors/jupyter) so that a program only links the
// clients it uses, the way database/sql drivers do.
package executors

import (
	"context"
	"time"
)

// Executor runs code blocks. Implementations are safe for concurrent use
// unless they document otherwise; stateful ones (a kernel, a container)
// serialise Execute calls.
type Executor interface {
	// Execute runs blocks in order and stops at the first block that fails,
	// as AutoGen does; blocks after it are reported in Result.NotRun. The
	// returned error is for failures of the executor itself (no engine, no
	// work dir); a block that fails, times out or is unsupported is
	// reported in the Result, not as an error.
	Execute(ctx context.Context, blocks []CodeBlock) (Result, error)
	// Restart discards state (kernel variables, container processes) so that
	// the next Execute starts fresh.
	Restart(ctx context.Context) error
	// Close stops everything the executor started. It is safe to call more
	// than once.
	Close() error
}

// CodeBlock is one piece of code to run.
type CodeBlock struct {
	// Language is a canonical language name such as "python", "sh" or
	// "bash" (see markdown.CanonicalLanguage for the aliases).
	Language string `json:"language"`
	// Code is the source text.
	Code string `json:"code"`
	// Filename, when set, is where the code is saved inside the work dir,
	// relative to it. Names that escape the work dir are refused.
	Filename string `json:"filename,omitempty"`
	// Stdin, when set, is given to the program as its standard input.
	Stdin string `json:"stdin,omitempty"`
}

// BlockResult is the outcome of one block.
type BlockResult struct {
	Block CodeBlock `json:"block"`
	// ExitCode is the process exit code; TimeoutExitCode when the block
	// ran out of time; 1 when it could not start.
	ExitCode int `json:"exit_code"`
	// Output is stdout and stderr merged in the order they were written,
	// capped (see Truncated).
	Output string `json:"output"`
	// Truncated is set when Output was cut to the output limit; Output then
	// carries a visible marker where bytes were dropped.
	Truncated bool `json:"truncated,omitempty"`
	// OutputBytes is how many bytes the block wrote in all, kept or not.
	OutputBytes int64 `json:"output_bytes"`
	// TimedOut is set when the block was stopped at its deadline.
	TimedOut bool `json:"timed_out,omitempty"`
	// Duration is the wall-clock time the block ran.
	Duration time.Duration `json:"duration"`
	// CodeFile is the path of the saved code, when it was saved to a file.
	CodeFile string `json:"code_file,omitempty"`
	// Files are rich outputs the block produced (plots, HTML), saved by the
	// executor.
	Files []OutputFile `json:"files,omitempty"`
}

// Succeeded reports whether the block exited with code zero in time.
func (b BlockResult) Succeeded() bool { return b.ExitCode == 0 && !b.TimedOut }

// OutputFile is a rich output saved to disk.
type OutputFile struct {
	Path     string `json:"path"`
	MIMEType string `json:"mime_type"`
}

// Result is the outcome of one Execute call.
type Result struct {
	// Blocks holds one entry per block that ran, in order.
	Blocks []BlockResult `json:"blocks"`
	// NotRun are the blocks skipped because an earlier block failed.
	NotRun []CodeBlock `json:"not_run,omitempty"`
}

// ExitCode is the exit code of the last block that ran, 0 when none ran.
func (r Result) ExitCode() int {
	if len(r.Blocks) == 0 {
		return 0
	}
	return r.Blocks[len(r.Blocks)-1].ExitCode
}

// Succeeded reports whether every block ran and succeeded.
func (r Result) Succeeded() bool {
	for _, b := range r.Blocks {
		if !b.Succeeded() {
			return false
		}
	}
	return len(r.NotRun) == 0
}

// Files lists the rich outputs of all blocks.
func (r Result) Files() []OutputFile {
	var files []OutputFile
	for _, b := range r.Blocks {
		files = append(files, b.Files...)
	}
	return files
}

// TimeoutExitCode is the exit code reported for a block stopped at its
// deadline; it matches coreutils timeout(1) and AutoGen.
const TimeoutExitCode = 124
