package conversation_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crashingFile writes whole lines until the crashAt-th, of which it writes
// half, says so on stdout, and then hangs until the process is killed.
type crashingFile struct {
	f       *os.File
	lines   int
	crashAt int
}

func (c *crashingFile) Write(p []byte) (int, error) {
	c.lines++
	if c.lines == c.crashAt {
		if _, err := c.f.Write(p[:len(p)/2]); err != nil {
			return 0, err
		}
		fmt.Println("half-written")
		select {}
	}
	return c.f.Write(p)
}

// TestResumeHelperProcess is the chat process that TestResumeAfterKill
// kills mid-write; it does nothing in a normal test run.
func TestResumeHelperProcess(t *testing.T) {
	path := os.Getenv("PARLEY_RESUME_HELPER")
	if path == "" {
		t.Skip("helper process for TestResumeAfterKill")
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	_, _ = conversation.Initiate(context.Background(), echo("a"), echo("b"), "hi",
		conversation.WithMaxTurns(10), conversation.WithTranscript(&crashingFile{f: f, crashAt: 4}))
	t.Fatal("the chat should have hung mid-write")
}

func TestResumeAfterKill(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chat.jsonl")
	cmd := exec.Command(os.Args[0], "-test.run=^TestResumeHelperProcess$")
	cmd.Env = append(os.Environ(), "PARLEY_RESUME_HELPER="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "half-written\n", line)
	require.NoError(t, cmd.Process.Kill()) // SIGKILL: no deferred code runs
	_ = cmd.Wait()

	f, err := os.Open(path)
	require.NoError(t, err)
	_, err = conversation.ReadTranscript(f)
	f.Close()
	require.ErrorIs(t, err, conversation.ErrTruncatedTranscript, "the kill left a partial line")

	r, err := conversation.Resume(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"a: hi", "b: b #1", "a: a #2"}, contents(r.History))
	assert.Positive(t, r.DroppedBytes)
	res, err := conversation.Initiate(context.Background(), echo("a"), echo("b"), "", append(r.Options(), conversation.WithMaxTurns(3))...)
	require.NoError(t, err)
	require.NoError(t, r.Close())
	assert.Equal(t, conversation.ReasonMaxTurns, res.Reason)
	want := []string{"a: hi", "b: b #1", "a: a #2", "b: b #3", "a: a #4", "b: b #5"}
	assert.Equal(t, want, contents(res.History), "b, who did not send the last message, went on")

	f, err = os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	back, err := conversation.ReadTranscript(f)
	require.NoError(t, err, "the repaired file reads cleanly")
	assert.Equal(t, want, contents(back))
}

func writeTranscript(t *testing.T, msgs ...conversation.Message) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chat.jsonl")
	f, err := os.Create(path)
	require.NoError(t, err)
	w := conversation.NewTranscriptWriter(f)
	for _, m := range msgs {
		require.NoError(t, w.Write(m))
	}
	require.NoError(t, f.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return path, data
}

func TestResumeCases(t *testing.T) {
	msgs := []conversation.Message{{Name: "a", Content: "hi"}, {Name: "b", Content: "yo"}, {Name: "c", Content: "hey"}}

	t.Run("truncated group chat goes on after the last whole message", func(t *testing.T) {
		path, data := writeTranscript(t, msgs...)
		require.NoError(t, os.WriteFile(path, data[:len(data)-5], 0o644))
		a, b, c := echo("a"), echo("b"), echo("c")
		r, err := conversation.Resume(path)
		require.NoError(t, err)
		defer r.Close()
		g := conversation.GroupChat{Members: []conversation.Participant{a, b, c}, MaxRounds: 4}
		res, err := g.Run(context.Background(), a, "", r.Options()...)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b", "c", "a"}, speakers(res.History), "round robin picks up after b")
	})
	t.Run("missing newline on a whole last line", func(t *testing.T) {
		path, data := writeTranscript(t, msgs[:2]...)
		require.NoError(t, os.WriteFile(path, data[:len(data)-1], 0o644))
		res, err := conversation.ResumeChat(context.Background(), path, echo("a"), echo("b"), conversation.WithMaxTurns(2))
		require.NoError(t, err)
		assert.Len(t, res.History, 4)
		f, err := os.Open(path)
		require.NoError(t, err)
		defer f.Close()
		back, err := conversation.ReadTranscript(f)
		require.NoError(t, err)
		assert.Equal(t, contents(res.History), contents(back))
	})
	t.Run("corruption in the middle is an error and the file is untouched", func(t *testing.T) {
		path, data := writeTranscript(t, msgs...)
		bad := append([]byte("{broken\n"), data...)
		require.NoError(t, os.WriteFile(path, bad, 0o644))
		_, err := conversation.Resume(path)
		require.ErrorContains(t, err, "line 1")
		after, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, bad, after)
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := conversation.Resume(filepath.Join(t.TempDir(), "nope.jsonl"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}
