package executors

import (
	"strings"

	"github.com/parley-go/parley/markdown"
)

// Language returns the canonical name of a block's language, the one rule
// every executor matches languages by: the aliases markdown knows ("py",
// "python3", "shell", "node", ...) become their canonical name, and other
// names come back lower-cased and trimmed, so that an executor can report
// them as unsupported.
func Language(name string) string {
	if canonical, _ := markdown.CanonicalLanguage(name); canonical != "" {
		return canonical
	}
	return strings.ToLower(strings.TrimSpace(name))
}
