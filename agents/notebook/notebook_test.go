package notebook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/notebook"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
	"github.com/parley-go/parley/executors/local"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chat runs a real two-agent chat: a scripted writer and a code executor
// backed by the local executor, with one failing and one passing round.
func chat(t *testing.T) []conversation.Message {
	t.Helper()
	ex, err := local.New(local.Config{WorkDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { ex.Close() })
	replies := []string{
		"Try this:\n\n```python\nprint('hello')\nraise SystemExit(3)\n```",
		"Two blocks; the second is dangerous:\n\n```sh\necho from-sh\n```\n\n```sh\nrm -rf ~/\n```",
		"Done. TERMINATE",
	}
	writer := conversation.ParticipantFunc{ParticipantName: "writer", Func: func(_ context.Context, c *conversation.Chat) (conversation.Message, error) {
		r := replies[0]
		replies = replies[1:]
		return conversation.Message{Content: r, Origin: conversation.OriginLLM}, nil
	}}
	approver := agents.ApproverFunc(func(_ context.Context, r agents.Review) (agents.Decision, error) {
		if r.Block.Code == "rm -rf ~/\n" {
			return agents.Decision{Action: agents.ActionSkip, Reason: "deletes the home directory", By: "human"}, nil
		}
		return agents.Decision{Action: agents.ActionRun, By: "human"}, nil
	})
	executor, err := agents.New("executor", agents.WithCodeExecution(agents.CodeExecution{Executor: ex, Approver: approver, Describe: "commandline-local"}))
	require.NoError(t, err)
	res, err := conversation.Initiate(context.Background(), executor, writer, "Say hello.")
	require.NoError(t, err)
	require.Len(t, res.History, 6)
	return res.History
}

func pngFile(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	path := filepath.Join(t.TempDir(), "plot.png")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())
	return path
}

// plotMessage is a code-executor reply whose block produced an image, as the
// Jupyter executor reports plots.
func plotMessage(t *testing.T, imgPath string) conversation.Message {
	block := executors.CodeBlock{Language: "python", Code: "plt.plot([1, 2])\nplt.show()\n"}
	rec := agents.ExecutionRecord{
		Agent: "executor", Executor: "jupyter",
		Blocks: []agents.BlockRecord{{Original: block, Ran: &block, Decision: agents.Decision{Action: agents.ActionRun, By: "auto"}}},
		Result: &executors.Result{Blocks: []executors.BlockResult{{Block: block, Output: "[<Line2D>]\n", Files: []executors.OutputFile{
			{Path: imgPath, MIMEType: "image/png"},
			{Path: filepath.Join(t.TempDir(), "gone.svg"), MIMEType: "image/svg+xml"},
		}}}},
	}
	raw, err := json.Marshal(rec)
	require.NoError(t, err)
	return conversation.Message{Name: "executor", Content: "exitcode: 0 (execution succeeded)\nCode output: [<Line2D>]", Origin: conversation.OriginCode,
		Meta: map[string]json.RawMessage{agents.MetaExecution: raw}}
}

type jsonNotebook struct {
	Cells []struct {
		CellType       string           `json:"cell_type"`
		Source         string           `json:"source"`
		ExecutionCount *int             `json:"execution_count"`
		Outputs        []map[string]any `json:"outputs"`
		Metadata       struct {
			Parley map[string]any `json:"parley"`
		} `json:"metadata"`
	} `json:"cells"`
	NBFormat int `json:"nbformat"`
}

func TestExportChat(t *testing.T) {
	imgPath := pngFile(t)
	msgs := append(chat(t), plotMessage(t, imgPath))
	var buf bytes.Buffer
	nb, err := notebook.FromMessages(msgs, notebook.Options{Title: "Hello"})
	require.NoError(t, err)
	require.NoError(t, notebook.Write(&buf, nb))

	var got jsonNotebook
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.Equal(t, 4, got.NBFormat)
	var types []string
	for _, c := range got.Cells {
		types = append(types, c.CellType)
	}
	// title, task, writer, executor + 1 code, writer, executor + 2 code, writer, executor + 1 code
	assert.Equal(t, []string{"markdown", "markdown", "markdown", "markdown", "code", "markdown", "markdown", "code", "code", "markdown", "markdown", "code"}, types)

	failed := got.Cells[4]
	assert.Equal(t, "print('hello')\nraise SystemExit(3)\n", failed.Source)
	require.NotNil(t, failed.ExecutionCount)
	assert.Equal(t, 1, *failed.ExecutionCount)
	require.Len(t, failed.Outputs, 2)
	assert.Equal(t, "hello\n", failed.Outputs[0]["text"])
	assert.Equal(t, "exit code 3\n", failed.Outputs[1]["text"])
	assert.Contains(t, got.Cells[3].Source, "exitcode: 3")

	ran, skipped := got.Cells[7], got.Cells[8]
	assert.Equal(t, "%%bash\necho from-sh\n", ran.Source, "shell blocks run in a Python kernel through a cell magic")
	assert.Equal(t, "from-sh\n", ran.Outputs[0]["text"])
	assert.Nil(t, skipped.ExecutionCount)
	assert.Empty(t, skipped.Outputs)
	assert.Equal(t, "skipped", skipped.Metadata.Parley["status"])
	assert.Equal(t, "deletes the home directory", skipped.Metadata.Parley["reason"])

	plot := got.Cells[11]
	require.Len(t, plot.Outputs, 3)
	data := plot.Outputs[1]["data"].(map[string]any)
	wantPNG, err := os.ReadFile(imgPath)
	require.NoError(t, err)
	assert.Equal(t, "display_data", plot.Outputs[1]["output_type"])
	assert.Equal(t, wantPNG, mustBase64(t, data["image/png"].(string)))
	assert.Contains(t, plot.Outputs[2]["text"], "no longer available")

	validate(t, buf.Bytes())
}

func TestWriteFileFromTranscript(t *testing.T) {
	var transcript bytes.Buffer
	w := conversation.NewTranscriptWriter(&transcript)
	for _, m := range chat(t) {
		require.NoError(t, w.Write(m))
	}
	msgs, err := conversation.ReadTranscript(&transcript)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "chat.ipynb")
	require.NoError(t, notebook.WriteFile(path, msgs, notebook.Options{}))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	validate(t, data)

	_, err = notebook.FromMessages([]conversation.Message{{Name: "x", Meta: map[string]json.RawMessage{agents.MetaExecution: json.RawMessage(`"nope"`)}}}, notebook.Options{})
	require.ErrorContains(t, err, "message 1 (x): execution record")
}

// validate checks the notebook with Jupyter's own validator (Debian's
// python3-nbformat).
func validate(t *testing.T, data []byte) {
	t.Helper()
	python := "/usr/bin/python3"
	check := exec.Command(python, "-c", "import nbformat")
	if err := check.Run(); err != nil {
		if os.Getenv("CI") == "true" {
			require.NoError(t, err, "nbformat is needed: apt-get install python3-nbformat")
		}
		t.Skip("the nbformat validator is missing: apt-get install python3-nbformat")
	}
	path := filepath.Join(t.TempDir(), "nb.ipynb")
	require.NoError(t, os.WriteFile(path, data, 0o644))
	cmd := exec.Command(python, "-c", `import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=nbformat.NO_CONVERT)
nbformat.validate(nb, relax_add_props=False)
print("valid", nb.nbformat, nb.nbformat_minor, len(nb.cells))`, path)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "nbformat rejected the notebook:\n%s", out)
	assert.Contains(t, string(out), "valid 4 5")
}
