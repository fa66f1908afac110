package local

import (
	"os"
	"sort"
)

// tokenVar carries each block's random token; the sweep finds escaped
// processes by it.
const tokenVar = "PARLEY_BLOCK_TOKEN"

// childEnv builds the environment every block starts from: a minimal set
// taken from ours with fallbacks, the allowed names, then explicit values.
// Everything else of ours, API keys included, stays out.
func childEnv(allow []string, extra map[string]string, workDir string) []string {
	vars := map[string]string{
		"PATH":             "/usr/local/bin:/usr/bin:/bin",
		"HOME":             workDir,
		"LANG":             "C.UTF-8",
		"TMPDIR":           os.TempDir(),
		"PYTHONUNBUFFERED": "1",
	}
	for _, name := range []string{"PATH", "HOME", "LANG", "TMPDIR"} {
		if v, ok := os.LookupEnv(name); ok && v != "" {
			vars[name] = v
		}
	}
	for _, name := range allow {
		if v, ok := os.LookupEnv(name); ok {
			vars[name] = v
		}
	}
	for k, v := range extra {
		vars[k] = v
	}
	delete(vars, tokenVar) // ours alone to set, per block
	env := make([]string, 0, len(vars)+1)
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}
