package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/agents/audit"
	"github.com/parley-go/parley/agents/openaitest"
)

// testKey is the API key of the fake endpoints the tests start.
const testKey = "test-key"

// endpoint starts a fake model endpoint that answers with replies, and
// returns the environment that points the demo at it.
func endpoint(t *testing.T, replies ...openaitest.Response) (*openaitest.Server, func(string) string) {
	t.Helper()
	srv := openaitest.NewServer(openaitest.WithAPIKey(testKey))
	t.Cleanup(srv.Close)
	srv.Enqueue(replies...)
	env := map[string]string{"OPENAI_API_KEY": testKey, "OPENAI_BASE_URL": srv.URL()}
	return srv, func(k string) string { return env[k] }
}

func TestDemoPolicyDecidesWithoutTerminal(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.jsonl")
	code, out, errOut := runDemo(t, noEnv, "--policy", "static", "--work-dir", dir, "--audit", log)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "the static policy decides")
	assert.Contains(t, out, "Code output: 377", "the clean replay code ran")

	code, out, errOut = runDemo(t, noEnv, "--verify-audit", log)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "chain intact")
	data, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"by":"policy:static"`)

	// Tampering is reported with the line.
	tampered := strings.Replace(string(data), `"by":"policy:static"`, `"by":"human"`, 1)
	require.NoError(t, os.WriteFile(log, []byte(tampered), 0o600))
	code, _, errOut = runDemo(t, noEnv, "--verify-audit", log)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "does NOT verify: audit: line 1 (entry 1): the entry was altered")

	// And a damaged log is not extended.
	code, _, errOut = runDemo(t, noEnv, "--yes", "--work-dir", dir, "--audit", log)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "refusing to append")
}

func TestDemoPolicyRefusesDangerousCode(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"policy decides", []string{"--policy", "static"}},
		{"yes with a policy", []string{"--yes", "--policy", "static"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			victim := filepath.Join(dir, "victim")
			require.NoError(t, os.Mkdir(victim, 0o755))
			srv, env := endpoint(t,
				openaitest.Response{Content: "```sh\nrm -rf " + victim + "\n```"},
				openaitest.Response{Content: "ok TERMINATE"},
			)
			code, out, errOut := runDemo(t, env, append(tt.args, "--message", "clean up", "--work-dir", dir)...)
			require.Equal(t, 0, code, errOut)
			assert.DirExists(t, victim, "the refused block did not run")
			assert.Contains(t, out, "no code was run")
			reqs := srv.Requests()
			require.Len(t, reqs, 2)
			last := reqs[1].Messages[len(reqs[1].Messages)-1].Content
			assert.Contains(t, last, "the static policy refused it: deletes files (line 1)")
		})
	}
}

func TestDemoPolicyDeny(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runDemo(t, noEnv, "--policy", "deny", "--yes", "--work-dir", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "every block is refused")
	assert.NotContains(t, out, "Code output: 377")
	assert.NoFileExists(t, filepath.Join(dir, "fibonacci.py"))
}

func TestDemoLLMPolicy(t *testing.T) {
	srv, env := endpoint(t,
		openaitest.Response{Content: "```python\nprint(2+2)\n```"},
		openaitest.Response{Content: `{"safe": true, "risk": "low", "reasons": ["arithmetic only"]}`},
		openaitest.Response{Content: "4. TERMINATE"},
	)
	dir := t.TempDir()
	log := filepath.Join(dir, "audit.jsonl")
	code, out, errOut := runDemo(t, env, "--policy", "static+llm", "--message", "add", "--work-dir", dir, "--audit", log)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Code output: 4")
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.Contains(t, reqs[1].Messages[0].Content, `"safe"`, "the reviewer asked for a JSON verdict")
	assert.Contains(t, reqs[1].Messages[1].Content, "print(2+2)")
	f, err := os.Open(log)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, audit.Verify(f))
	data, _ := os.ReadFile(log)
	assert.Contains(t, string(data), `"by":"policy:llm"`)
	assert.Contains(t, string(data), "llm: safe, risk low: arithmetic only")

	code, _, errOut = runDemo(t, noEnv, "--policy", "llm")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "needs a model to review code")
}

func TestDemoBadPolicyAndHuman(t *testing.T) {
	code, _, errOut := runDemo(t, noEnv, "--policy", "maybe")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unknown --policy "maybe"`)
	code, _, errOut = runDemo(t, noEnv, "--human", "sometimes")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `unknown --human "sometimes"`)
}
