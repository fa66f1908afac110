package executors

import (
	"fmt"
	"strings"
)

// FormatReply renders a Result the way AutoGen's code-executor agent does,
// so prompts written for AutoGen keep working:
//
//	exitcode: 0 (execution succeeded)
//	Code output: 377
//
// Outputs of several blocks are concatenated in order. A timeout, rich output
// files and blocks that did not run are noted after the output.
func FormatReply(r Result) string {
	code := r.ExitCode()
	status := "execution succeeded"
	if !r.Succeeded() {
		status = "execution failed"
		if code == 0 {
			code = 1
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "exitcode: %d (%s)\nCode output: ", code, status)
	for i, br := range r.Blocks {
		if i > 0 && !strings.HasSuffix(b.String(), "\n") && br.Output != "" {
			b.WriteByte('\n')
		}
		b.WriteString(br.Output)
		if br.TimedOut {
			fmt.Fprintf(&b, "\nTimeout: block %d was stopped after %s", i+1, br.Duration.Round(1e6))
		}
		for _, f := range br.Files {
			fmt.Fprintf(&b, "\nOutput file (%s): %s", f.MIMEType, f.Path)
		}
	}
	if n := len(r.NotRun); n > 0 {
		fmt.Fprintf(&b, "\n[%d later block(s) not run because block %d failed]", n, len(r.Blocks))
	}
	return b.String()
}
