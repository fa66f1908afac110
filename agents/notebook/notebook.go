// Package notebook writes a Parley chat as a Jupyter notebook (nbformat 4):
// each message becomes a markdown cell, and each code block the
// code-executor agent ran becomes a code cell with its output and its rich
// outputs (plots as images), so a chat can be read, shared and re-run in
// Jupyter.
//
// It reads the execution records the code-executor agent attaches to its
// replies under agents.MetaExecution.
package notebook

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
)

// Notebook is an nbformat 4.5 notebook.
type Notebook struct {
	Cells         []Cell         `json:"cells"`
	Metadata      map[string]any `json:"metadata"`
	NBFormat      int            `json:"nbformat"`
	NBFormatMinor int            `json:"nbformat_minor"`
}

// Cell is a markdown or code cell.
type Cell struct {
	Type     string         // "markdown" or "code"
	ID       string         // unique within the notebook
	Source   string         //
	Metadata map[string]any //
	// ExecutionCount and Outputs belong to code cells.
	ExecutionCount int // 0: not executed
	Outputs        []Output
}

// Output is one output of a code cell: a "stream" (Name "stdout" or
// "stderr", Text) or a "display_data" (Data by MIME type).
type Output struct {
	Type string
	Name string
	Text string
	Data map[string]any
}

// MarshalJSON writes the cell in nbformat's shape, which differs between
// markdown and code cells.
func (c Cell) MarshalJSON() ([]byte, error) {
	md := c.Metadata
	if md == nil {
		md = map[string]any{}
	}
	m := map[string]any{"cell_type": c.Type, "id": c.ID, "metadata": md, "source": c.Source}
	if c.Type == "code" {
		var count any
		if c.ExecutionCount > 0 {
			count = c.ExecutionCount
		}
		m["execution_count"] = count
		outs := c.Outputs
		if outs == nil {
			outs = []Output{}
		}
		m["outputs"] = outs
	}
	return json.Marshal(m)
}

// MarshalJSON writes the output in nbformat's shape.
func (o Output) MarshalJSON() ([]byte, error) {
	switch o.Type {
	case "stream":
		return json.Marshal(map[string]any{"output_type": "stream", "name": o.Name, "text": o.Text})
	case "display_data":
		return json.Marshal(map[string]any{"output_type": "display_data", "data": o.Data, "metadata": map[string]any{}})
	}
	return nil, fmt.Errorf("notebook: unknown output type %q", o.Type)
}

// Options tune the export.
type Options struct {
	// Title, when set, is a heading cell at the top.
	Title string
	// ReadFile reads the rich output files of executed blocks (default
	// os.ReadFile). A file that cannot be read is noted in the cell's
	// output instead of failing the export.
	ReadFile func(path string) ([]byte, error)
}

// FromMessages builds a notebook from a chat's messages (a Result's History,
// or a transcript read with conversation.ReadTranscript).
func FromMessages(msgs []conversation.Message, opts Options) (*Notebook, error) {
	b := builder{opts: opts, nb: &Notebook{
		Metadata: map[string]any{
			"kernelspec":    map[string]any{"name": "python3", "display_name": "Python 3", "language": "python"},
			"language_info": map[string]any{"name": "python"},
		},
		NBFormat: 4, NBFormatMinor: 5,
	}}
	if b.opts.ReadFile == nil {
		b.opts.ReadFile = os.ReadFile
	}
	if opts.Title != "" {
		b.markdown("# "+opts.Title, nil)
	}
	for i, m := range msgs {
		if err := b.message(m); err != nil {
			return nil, fmt.Errorf("notebook: message %d (%s): %w", i+1, m.Name, err)
		}
	}
	return b.nb, nil
}

// Write writes nb as JSON, indented as Jupyter does.
func Write(w io.Writer, nb *Notebook) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(nb); err != nil {
		return fmt.Errorf("notebook: write: %w", err)
	}
	return nil
}

// WriteFile exports msgs to a notebook file at path.
func WriteFile(path string, msgs []conversation.Message, opts Options) error {
	nb, err := FromMessages(msgs, opts)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("notebook: %w", err)
	}
	if err := Write(f, nb); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type builder struct {
	opts  Options
	nb    *Notebook
	count int
}

func (b *builder) id() string { return fmt.Sprintf("cell-%d", len(b.nb.Cells)+1) }

func (b *builder) markdown(src string, md map[string]any) {
	b.nb.Cells = append(b.nb.Cells, Cell{Type: "markdown", ID: b.id(), Source: src, Metadata: md})
}

func (b *builder) message(m conversation.Message) error {
	origin := string(m.Origin)
	if origin == "" {
		origin = "message"
	}
	meta := map[string]any{"parley": map[string]any{"name": m.Name, "origin": origin}}
	raw, ok := m.Meta[agents.MetaExecution]
	if !ok {
		var body strings.Builder
		fmt.Fprintf(&body, "**%s** (%s):\n\n%s", m.Name, origin, m.Content)
		for _, tc := range m.ToolCalls {
			fmt.Fprintf(&body, "\n\n*calls tool* `%s` with `%s`", tc.Name, tc.Arguments)
		}
		for _, tr := range m.ToolResponses {
			fmt.Fprintf(&body, "\n\n*tool result* (%s):\n\n```\n%s\n```", tr.Name, tr.Content)
		}
		b.markdown(body.String(), meta)
		return nil
	}
	var rec agents.ExecutionRecord
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("execution record: %w", err)
	}
	head, _, _ := strings.Cut(m.Content, "\n")
	if head == "" && len(m.ToolResponses) > 0 {
		// run_code results come as tool responses, with no message text.
		head = fmt.Sprintf("%d run_code call(s)", len(m.ToolResponses))
	}
	where := ""
	if rec.Executor != "" {
		where = " in " + rec.Executor
	}
	b.markdown(fmt.Sprintf("**%s** (code) ran the code%s: %s", m.Name, where, head), meta)
	var results []executors.BlockResult
	if rec.Result != nil {
		results = rec.Result.Blocks
	}
	next := 0
	for _, br := range rec.Blocks {
		block := br.Original
		status := "skipped"
		var res *executors.BlockResult
		if br.Ran != nil {
			block = *br.Ran
			status = "not_run"
			if next < len(results) {
				res = &results[next]
				next++
				status = "ran"
			}
		}
		b.codeCell(block, br.Decision, status, res)
	}
	return nil
}

func (b *builder) codeCell(block executors.CodeBlock, d agents.Decision, status string, res *executors.BlockResult) {
	pm := map[string]any{"language": block.Language, "status": status, "decision": d.Action.String()}
	if block.Filename != "" {
		pm["filename"] = block.Filename
	}
	if d.Reason != "" {
		pm["reason"] = d.Reason
	}
	if d.By != "" {
		pm["decided_by"] = d.By
	}
	c := Cell{Type: "code", ID: b.id(), Source: cellSource(block), Metadata: map[string]any{"parley": pm}}
	if res != nil {
		b.count++
		c.ExecutionCount = b.count
		pm["exit_code"] = res.ExitCode
		if res.TimedOut {
			pm["timed_out"] = true
		}
		if res.Output != "" {
			c.Outputs = append(c.Outputs, Output{Type: "stream", Name: "stdout", Text: res.Output})
		}
		if !res.Succeeded() {
			msg := fmt.Sprintf("exit code %d\n", res.ExitCode)
			if res.TimedOut {
				msg = "timed out\n"
			}
			c.Outputs = append(c.Outputs, Output{Type: "stream", Name: "stderr", Text: msg})
		}
		for _, f := range res.Files {
			c.Outputs = append(c.Outputs, b.fileOutput(f))
		}
	}
	b.nb.Cells = append(b.nb.Cells, c)
}

// cellSource is the block's code, with a cell magic for languages other than
// Python so that the notebook runs in a Python kernel.
func cellSource(block executors.CodeBlock) string {
	switch block.Language {
	case "python", "":
		return block.Code
	case "sh", "bash", "shell":
		return "%%bash\n" + block.Code
	}
	return "%%script " + block.Language + "\n" + block.Code
}

func (b *builder) fileOutput(f executors.OutputFile) Output {
	data, err := b.opts.ReadFile(f.Path)
	if err != nil {
		return Output{Type: "stream", Name: "stderr", Text: fmt.Sprintf("(output file %s is no longer available: %v)\n", f.Path, err)}
	}
	mime := f.MIMEType
	switch {
	case strings.HasPrefix(mime, "image/svg"), strings.HasPrefix(mime, "text/"), mime == "application/json" && utf8.Valid(data):
		if mime == "application/json" {
			var v any
			if json.Unmarshal(data, &v) == nil {
				return Output{Type: "display_data", Data: map[string]any{mime: v}}
			}
			mime = "text/plain"
		}
		return Output{Type: "display_data", Data: map[string]any{mime: string(data)}}
	case strings.HasPrefix(mime, "image/"):
		return Output{Type: "display_data", Data: map[string]any{
			mime:         base64.StdEncoding.EncodeToString(data),
			"text/plain": fmt.Sprintf("<%s %s>", mime, f.Path),
		}}
	}
	return Output{Type: "stream", Name: "stdout", Text: fmt.Sprintf("(output file %s, %s, %d bytes)\n", f.Path, mime, len(data))}
}
