// Package notebooks_test builds and runs every walkthrough program and checks
// that the output shown in its Markdown file is what the program prints.
//
// The output shown sits between "<!-- output -->" and "<!-- /output -->"
// markers, in a ````text fence (four backticks, as the output holds Markdown fences). Before comparing, the program's output is
// normalised: a temporary path (the system temp dir followed by one path
// element, e.g. /tmp/parley-01-123456) becomes $WORKDIR, and Go durations
// (12ms, 1.5s) become <duration>. Run
//
//	go test ./notebooks -update
//
// to rewrite the Markdown files with what the programs print now.
package notebooks_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the output blocks of the walkthroughs")

// exitSkip is the exit code with which a walkthrough says that what it needs
// (a Docker engine, a Jupyter server) is missing.
const exitSkip = 3

var walkthroughs = []string{
	"01-code-executor",
	"02-human-approval",
	"03-docker-and-jupyter",
	"04-group-chat",
	"05-tools-and-run-code",
}

var (
	outputBlock = regexp.MustCompile("(?s)<!-- output -->\n````text\n(.*?)````\n<!-- /output -->")
	tempPath    = regexp.MustCompile(regexp.QuoteMeta(strings.TrimRight(os.TempDir(), "/")) + `/[^/\s"':]+`)
	duration    = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m)\b`)
)

// Normalise makes a program's output comparable across runs.
func normalise(s string) string {
	s = tempPath.ReplaceAllString(s, "$$WORKDIR")
	return duration.ReplaceAllString(s, "<duration>")
}

func TestWalkthroughs(t *testing.T) {
	bin := t.TempDir()
	for _, name := range walkthroughs {
		t.Run(name, func(t *testing.T) {
			exe := filepath.Join(bin, name)
			build := exec.Command("go", "build", "-o", exe, "./"+name)
			out, err := build.CombinedOutput()
			require.NoError(t, err, "go build ./%s:\n%s", name, out)

			cmd := exec.Command(exe)
			cmd.Env = withoutKey(os.Environ())
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err = cmd.Run()
			if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == exitSkip {
				require.NotEqual(t, "true", os.Getenv("CI"), "%s cannot run in CI: %s", name, stderr.String())
				t.Skip(strings.TrimSpace(stderr.String()))
			}
			require.NoError(t, err, "%s failed:\n%s\n%s", name, stdout.String(), stderr.String())
			got := normalise(stdout.String())

			mdPath := name + ".md"
			md, err := os.ReadFile(mdPath)
			require.NoError(t, err)
			m := outputBlock.FindSubmatchIndex(md)
			require.NotNil(t, m, "%s has no <!-- output --> block", mdPath)
			if *update {
				updated := string(md[:m[2]]) + got + string(md[m[3]:])
				require.NoError(t, os.WriteFile(mdPath, []byte(updated), 0o644))
				return
			}
			assert.Equal(t, string(md[m[2]:m[3]]), got, "%s shows other output than the program prints; run go test ./notebooks -update", mdPath)
		})
	}
}

// withoutKey drops OPENAI_API_KEY so that the programs use their embedded
// offline replays.
func withoutKey(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "OPENAI_API_KEY=") {
			out = append(out, kv)
		}
	}
	return out
}

func TestNormalise(t *testing.T) {
	tmp := strings.TrimRight(os.TempDir(), "/")
	assert.Equal(t, `File "$WORKDIR/fib.py", took <duration> and <duration>`,
		normalise(`File "`+tmp+`/parley-01-123/fib.py", took 12ms and 1.5s`))
}
