package local

import (
	"os/exec"
)

// language is an interpreter found on this machine.
type language struct {
	name   string // canonical name
	interp string // absolute path of the interpreter
	ext    string // extension of saved code files
	// noAddressLimit is set for runtimes that reserve more address space
	// than any sane RLIMIT_AS at start-up (V8); they get RLIMIT_DATA only.
	noAddressLimit bool
}

// languageSpecs lists the canonical languages and the commands that run
// them, first found wins. The names match markdown.CanonicalLanguage.
var languageSpecs = []struct {
	name           string
	commands       []string
	ext            string
	noAddressLimit bool
}{
	{name: "python", commands: []string{"python3", "python"}, ext: "py"},
	{name: "sh", commands: []string{"sh"}, ext: "sh"},
	{name: "bash", commands: []string{"bash"}, ext: "bash"},
	{name: "zsh", commands: []string{"zsh"}, ext: "zsh"},
	{name: "javascript", commands: []string{"node", "nodejs"}, ext: "js", noAddressLimit: true},
	{name: "perl", commands: []string{"perl"}, ext: "pl"},
	{name: "ruby", commands: []string{"ruby"}, ext: "rb"},
}

// findLanguages looks the interpreters up on our PATH once, so that a block
// cannot change which binary runs by editing its own environment.
func findLanguages() map[string]language {
	found := make(map[string]language, len(languageSpecs))
	for _, spec := range languageSpecs {
		for _, cmd := range spec.commands {
			path, err := exec.LookPath(cmd)
			if err != nil {
				continue
			}
			found[spec.name] = language{name: spec.name, interp: path, ext: spec.ext, noAddressLimit: spec.noAddressLimit}
			break
		}
	}
	return found
}
