package jupyter

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parley-go/parley/executors"
)

// interruptGrace is how long a kernel has to become idle after an
// interrupt before it is restarted.
const interruptGrace = 5 * time.Second

const diedNote = "\n[the kernel died while running this block (it exited or crashed): its state was lost; a new kernel will run the next block]\n"

func (e *Executor) supported() []string {
	if e.lang == "python" {
		return []string{"python", "sh", "bash"}
	}
	return []string{e.lang}
}

// cell turns a block into the code sent to the kernel and, for shell
// blocks, the user expression holding the exit status. Languages are
// matched by executors.Language, as in the other executors.
func (e *Executor) cell(b executors.CodeBlock) (code, statusExpr string, ok bool) {
	switch lang := executors.Language(b.Language); {
	case lang == "":
		return "", "", false
	case lang == e.lang:
		return b.Code, "", true
	case e.lang == "python" && (lang == "sh" || lang == "bash"):
		return shellCell(lang, b.Code, b.Stdin), shellStatusVar, true
	}
	return "", "", false
}

func (e *Executor) runBlock(ctx context.Context, b executors.CodeBlock) (br executors.BlockResult, _ error) {
	br.Block = b
	start := time.Now()
	defer func() { br.Duration = time.Since(start) }()

	if err := e.ensureKernel(ctx); err != nil {
		br.ExitCode = 1
		br.Output = err.Error()
		return br, err
	}
	code, statusExpr, ok := e.cell(b)
	if !ok {
		br.ExitCode = 1
		br.Output = (&executors.UnsupportedLanguageError{Language: b.Language, Supported: e.supported()}).Error()
		br.OutputBytes = int64(len(br.Output))
		return br, nil
	}
	if b.Filename != "" && e.server != nil {
		path, err := e.saveCode(b)
		if err != nil {
			br.ExitCode = 1
			br.Output = err.Error()
			br.OutputBytes = int64(len(br.Output))
			return br, nil
		}
		br.CodeFile = path
	}

	out := executors.NewCappedOutput(e.limits.OutputBytes)
	bctx := ctx
	if e.limits.Timeout > 0 {
		var cancel context.CancelFunc
		bctx, cancel = context.WithTimeout(ctx, e.limits.Timeout)
		defer cancel()
	}
	r, err := e.runCell(bctx, code, b.Stdin, statusExpr, &br, out)
	br.Output, br.Truncated, br.OutputBytes = out.String(), out.Truncated(), out.Total()
	if err != nil {
		br.ExitCode = 1
		return br, err
	}
	switch {
	case br.TimedOut:
		br.ExitCode = executors.TimeoutExitCode
	case r.died || r.lost:
		br.ExitCode = 1
	case r.status != "ok":
		br.ExitCode = 1
	case statusExpr != "":
		br.ExitCode = r.shellStatus
	}
	return br, nil
}

// saveCode writes a block with a filename hint into the work dir.
func (e *Executor) saveCode(b executors.CodeBlock) (string, error) {
	path, err := executors.SafeJoin(e.workDir, b.Filename)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("save %s: %w", b.Filename, err)
	}
	if err := executors.ResolveInside(e.workDir, path); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(b.Code), 0o644); err != nil {
		return "", fmt.Errorf("save %s: %w", b.Filename, err)
	}
	return path, nil
}

type cellResult struct {
	status      string // execute_reply status: ok, error, aborted
	shellStatus int
	died        bool // the kernel died under the block
	lost        bool // the reply was lost with a dropped connection
}

type executeRequest struct {
	Code            string            `json:"code"`
	Silent          bool              `json:"silent"`
	StoreHistory    bool              `json:"store_history"`
	UserExpressions map[string]string `json:"user_expressions"`
	AllowStdin      bool              `json:"allow_stdin"`
	StopOnError     bool              `json:"stop_on_error"`
}

type mimeBundle struct {
	Data map[string]json.RawMessage `json:"data"`
}

// runCell sends one execute_request and collects what the kernel says
// about it until the kernel is idle and the reply has arrived. At the
// deadline it interrupts the kernel, and restarts it if the interrupt does
// not take.
func (e *Executor) runCell(ctx context.Context, code, stdin, statusExpr string, br *executors.BlockResult, out *executors.CappedOutput) (cellResult, error) {
	var r cellResult
	exprs := map[string]string{}
	if statusExpr != "" {
		exprs["status"] = statusExpr
	}
	req, err := e.ch.request("execute_request", "shell", executeRequest{
		Code: code, StoreHistory: statusExpr == "", UserExpressions: exprs,
		// One request at a time, so there is no queue to abort; and
		// stop_on_error would abort the next block after an interrupt.
		AllowStdin: stdin != "", StopOnError: false,
	}, nil)
	if err != nil {
		return r, err
	}
	msgs := make(chan *message, 256)
	stop := e.ch.watch(msgs, req.Header.MsgID)
	defer func() { stop() }()
	broken, err := e.ch.deliver(ctx, req)
	if err != nil {
		return r, err
	}

	stdinLines := strings.SplitAfter(stdin, "\n")
	var (
		gotReply, gotIdle bool
		interrupted       bool
		probeID           string
		done              = ctx.Done()
		grace             <-chan time.Time
		idleWait          <-chan time.Time
	)
	for !gotReply || !gotIdle {
		select {
		case m := <-msgs:
			switch m.Header.MsgType {
			case kernelEvent:
				r.died = true
				e.stale = true
				_, _ = out.Write([]byte(diedNote))
				return r, nil
			case "status":
				var c struct {
					State string `json:"execution_state"`
				}
				_ = json.Unmarshal(m.Content, &c)
				if c.State == "idle" {
					gotIdle = true
				}
			case "execute_reply":
				var c struct {
					Status string `json:"status"`
				}
				_ = json.Unmarshal(m.Content, &c)
				r.status = c.Status
				if statusExpr != "" {
					r.shellStatus = parseStatus(m.Content)
				}
				gotReply = true
			case "kernel_info_reply":
				// The probe after a reconnect: the kernel answers it only
				// after our cell, so a missing execute_reply was lost.
				if m.ParentHeader.MsgID != probeID {
					continue
				}
				if !gotReply {
					r.lost = true
					_, _ = out.Write([]byte("\n[the connection to the kernel dropped and this block's result was lost]\n"))
					return r, nil
				}
				idleWait = time.After(500 * time.Millisecond)
			case "stream":
				var c struct {
					Text string `json:"text"`
				}
				_ = json.Unmarshal(m.Content, &c)
				_, _ = out.Write([]byte(c.Text))
			case "execute_result", "display_data", "update_display_data":
				e.richOutput(m, br, out)
			case "error":
				var c struct {
					EName     string   `json:"ename"`
					EValue    string   `json:"evalue"`
					Traceback []string `json:"traceback"`
				}
				_ = json.Unmarshal(m.Content, &c)
				if interrupted && c.EName == "KeyboardInterrupt" {
					continue // our own interrupt, reported as a timeout
				}
				text := stripANSI(strings.Join(c.Traceback, "\n"))
				if strings.TrimSpace(text) == "" {
					text = c.EName + ": " + c.EValue
				}
				if !strings.Contains(text, c.EName) {
					text += "\n" + c.EName + ": " + c.EValue
				}
				_, _ = out.Write([]byte(text + "\n"))
			case "input_request":
				var c struct {
					Prompt string `json:"prompt"`
				}
				_ = json.Unmarshal(m.Content, &c)
				_, _ = out.Write([]byte(c.Prompt))
				line := ""
				if len(stdinLines) > 0 {
					line, stdinLines = strings.TrimSuffix(stdinLines[0], "\n"), stdinLines[1:]
				}
				reply, err := e.ch.request("input_reply", "stdin", map[string]string{"value": line}, &m.Header)
				if err == nil {
					err = e.ch.send(ctx, reply)
				}
				if err != nil {
					e.log.Warn("jupyter: answer input_request", "err", err)
				}
			}
		case <-broken:
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			var probe *message
			if probe, err = e.ch.request("kernel_info_request", "shell", struct{}{}, nil); err == nil {
				probeID = probe.Header.MsgID
				stopProbe := e.ch.watch(msgs, probeID)
				prev := stop
				stop = func() { prev(); stopProbe() }
				broken, err = e.ch.deliver(rctx, probe)
			}
			cancel()
			if err != nil {
				return r, fmt.Errorf("jupyter: lost the connection to the kernel at %s and could not reconnect: %w", e.rest.base, err)
			}
			e.log.Info("jupyter: reconnected to the kernel", "kernel", e.kernelID)
		case <-idleWait:
			gotIdle = true
		case <-done:
			done = nil
			if e.closeCtx.Err() != nil {
				return r, executors.ErrClosed
			}
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				br.TimedOut = true
			}
			interrupted = true
			ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if err := e.rest.interruptKernel(ictx, e.kernelID); err != nil {
				e.log.Warn("jupyter: interrupt kernel", "kernel", e.kernelID, "err", err)
			}
			cancel()
			grace = time.After(interruptGrace)
		case <-grace:
			// The kernel ignores SIGINT (a C extension spinning, a
			// handler that swallows KeyboardInterrupt): restart it.
			_, _ = out.Write([]byte("\n[the kernel did not stop on interrupt; it was restarted and its state was lost]\n"))
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			err := e.restartLocked(rctx)
			cancel()
			if err != nil {
				e.stale = true
			}
			return r, ctxErrUnlessDeadline(ctx)
		}
	}
	if interrupted {
		return r, ctxErrUnlessDeadline(ctx)
	}
	return r, nil
}

// ctxErrUnlessDeadline turns a cancelled context into an executor error;
// a deadline is a block result (TimedOut), not an error.
func ctxErrUnlessDeadline(ctx context.Context) error {
	if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("jupyter: block cancelled: %w", err)
	}
	return nil
}

// parseStatus reads the shell exit status from an execute_reply.
func parseStatus(content json.RawMessage) int {
	var c struct {
		UserExpressions map[string]struct {
			Status string            `json:"status"`
			Data   map[string]string `json:"data"`
		} `json:"user_expressions"`
	}
	if err := json.Unmarshal(content, &c); err != nil {
		return 1
	}
	ue, ok := c.UserExpressions["status"]
	if !ok || ue.Status != "ok" {
		return 1
	}
	n, err := strconv.Atoi(strings.TrimSpace(ue.Data["text/plain"]))
	if err != nil {
		return 1
	}
	return n
}

// richTypes are the MIME types saved as files, best first.
var richTypes = []struct{ mime, ext string }{
	{"image/png", ".png"},
	{"image/jpeg", ".jpg"},
	{"image/svg+xml", ".svg"},
	{"text/html", ".html"},
}

// richOutput saves the rich parts of a display_data or execute_result and
// writes its text/plain to the output: always for results, and for
// displays only when nothing was saved (an image's text is just a repr).
func (e *Executor) richOutput(m *message, br *executors.BlockResult, out *executors.CappedOutput) {
	var c mimeBundle
	if err := json.Unmarshal(m.Content, &c); err != nil {
		return
	}
	saved := false
	for _, rt := range richTypes {
		raw, ok := c.Data[rt.mime]
		if !ok {
			continue
		}
		f, err := e.saveRich(rt.mime, rt.ext, raw)
		if err != nil {
			_, _ = fmt.Fprintf(out, "[could not save %s output: %v]\n", rt.mime, err)
			continue
		}
		br.Files = append(br.Files, f)
		saved = true
	}
	if plain, ok := c.Data["text/plain"]; ok && (m.Header.MsgType == "execute_result" || !saved) {
		if s, err := mimeText(plain); err == nil && s != "" {
			_, _ = out.Write([]byte(strings.TrimSuffix(s, "\n") + "\n"))
		}
	}
}

// mimeText reads a MIME bundle value: a string, or a list of lines.
func mimeText(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var lines []string
	if err := json.Unmarshal(raw, &lines); err != nil {
		return "", fmt.Errorf("not text: %w", err)
	}
	return strings.Join(lines, ""), nil
}

func (e *Executor) saveRich(mime, ext string, raw json.RawMessage) (executors.OutputFile, error) {
	s, err := mimeText(raw)
	if err != nil {
		return executors.OutputFile{}, err
	}
	data := []byte(s)
	if strings.HasPrefix(mime, "image/") && mime != "image/svg+xml" {
		clean := strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == ' ' {
				return -1
			}
			return r
		}, s)
		if data, err = base64.StdEncoding.DecodeString(clean); err != nil {
			return executors.OutputFile{}, fmt.Errorf("decode base64: %w", err)
		}
	}
	for {
		e.fileSeq++
		path := filepath.Join(e.outDir, fmt.Sprintf("output-%d%s", e.fileSeq, ext))
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return executors.OutputFile{}, err
		}
		_, werr := f.Write(data)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return executors.OutputFile{}, werr
		}
		return executors.OutputFile{Path: path, MIMEType: mime}, nil
	}
}
