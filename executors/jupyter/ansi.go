package jupyter

import "regexp"

// ansiEscape matches CSI sequences (colours, cursor moves) and OSC sequences
// (hyperlinks, titles) that IPython puts into tracebacks.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]`)

// stripANSI removes terminal escape sequences, which only confuse the model
// reading the output.
func stripANSI(s string) string {
	return ansiEscape.ReplaceAllString(s, "")
}
