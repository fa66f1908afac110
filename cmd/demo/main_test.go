package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

func runDemo(t *testing.T, getenv func(string) string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr, getenv, nil)
	return code, stdout.String(), stderr.String()
}

func TestDemoReplayRunsTheCode(t *testing.T) {
	dir := t.TempDir()
	transcript := filepath.Join(dir, "chat.jsonl")
	code, out, errOut := runDemo(t, noEnv, "--yes", "--work-dir", dir, "--transcript", transcript)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "REPLAY")
	assert.Contains(t, out, "NameError", "the recorded first attempt really fails")
	assert.Contains(t, out, "exitcode: 0 (execution succeeded)\nCode output: 377")
	assert.Contains(t, out, "Chat ended (termination)")

	src, err := os.ReadFile(filepath.Join(dir, "fibonacci.py"))
	require.NoError(t, err, "the filename hint saved the code")
	assert.Contains(t, string(src), "print(fibonacci(14))")

	f, err := os.Open(transcript)
	require.NoError(t, err)
	defer f.Close()
	msgs, err := conversation.ReadTranscript(f)
	require.NoError(t, err)
	require.Len(t, msgs, 6)
	assert.Equal(t, DefaultTask, msgs[0].Content)
	assert.Equal(t, conversation.OriginCode, msgs[4].Origin)
}

func TestDemoWithoutTerminalOrYesRunsNothing(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runDemo(t, noEnv, "--work-dir", dir)
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "--yes")
	assert.NotContains(t, out, "exitcode:")
	_, err := os.Stat(filepath.Join(dir, "fibonacci.py"))
	assert.True(t, os.IsNotExist(err), "no code file was written")
}

func TestDemoUsesConfiguredEndpoint(t *testing.T) {
	srv := openaitest.NewServer(openaitest.WithAPIKey("k"))
	defer srv.Close()
	srv.Enqueue(
		openaitest.Response{Content: "```sh\necho from-endpoint\n```"},
		openaitest.Response{Content: "done TERMINATE"},
	)
	env := map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": srv.URL(), "OPENAI_MODEL": "m1"}
	code, out, errOut := runDemo(t, func(k string) string { return env[k] }, "--yes", "--message", "say something", "--work-dir", t.TempDir())
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out, "REPLAY")
	assert.Contains(t, out, "Code output: from-endpoint")
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "m1", reqs[0].Model)
	assert.Equal(t, "say something", reqs[0].Messages[1].Content)
}

func TestDemoBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"empty message", []string{"--message", "  "}, 2, "--message is empty"},
		{"other task without a key", []string{"--message", "hello"}, 2, "offline replay only knows the default task"},
		{"bad timeout", []string{"--timeout", "-1s"}, 2, "--timeout must be positive"},
		{"no turns", []string{"--max-turns", "0"}, 2, "--max-turns must be positive"},
		{"unknown executor", []string{"--executor", "vm"}, 1, `unknown --executor "vm"`},
		{"work dir cannot be created", []string{"--work-dir", "/proc/self/nope/x"}, 1, "work dir"},
		{"stray argument", []string{"extra"}, 2, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runDemo(t, noEnv, tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, errOut, tt.msg)
		})
	}
}

func TestDemoEndpointDown(t *testing.T) {
	env := map[string]string{"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}
	code, out, errOut := runDemo(t, func(k string) string { return env[k] }, "--yes", "--message", "x", "--work-dir", t.TempDir())
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "writer failed to reply")
	assert.Contains(t, out, "Chat ended (error")
}
