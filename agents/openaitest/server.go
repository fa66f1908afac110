// Package openaitest provides an in-process HTTP server that speaks the
// OpenAI chat completions wire format, in the spirit of net/http/httptest.
//
// Point a real client (such as github.com/sashabaranov/go-openai) at
// [Server.URL] and script the model's side of the conversation with
// [Server.Enqueue], [Replay] or [WithResponder]. Replies can be plain or
// streamed (server-sent events, with word-by-word content deltas and
// fragmented tool-call arguments), OpenAI-style errors, slow answers, or
// transport faults, so that retry, timeout and streaming code is exercised
// against the same bytes a real endpoint sends.
//
// The package does not import package testing, so programs (such as an
// offline demo replaying a recorded session) may link it.
package openaitest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxRequestBytes bounds the request bodies the server reads.
const maxRequestBytes = 32 << 20

// Server is a fake OpenAI endpoint listening on a loopback port. It is safe
// for concurrent use; scripted responses are handed out in order to
// requests in the order the server picks them up.
type Server struct {
	apiKey    string
	responder func(Request) Response
	models    []string
	initial   []Response

	ts        *httptest.Server
	done      chan struct{} // closed by Close to end delays early
	closeOnce sync.Once

	completionSeq atomic.Int64
	callSeq       atomic.Int64

	mu       sync.Mutex
	queue    []Response
	requests []Request
}

// Option configures a Server.
type Option func(*Server)

// WithAPIKey makes the server require "Authorization: Bearer key" on every
// request, answering 401 with code invalid_api_key otherwise.
func WithAPIKey(key string) Option {
	return func(s *Server) { s.apiKey = key }
}

// WithResponder sets the function that answers chat requests once the
// scripted queue is empty. It may be called from several goroutines at once.
func WithResponder(f func(Request) Response) Option {
	return func(s *Server) { s.responder = f }
}

// WithModels restricts the server to the named models: a chat request for
// another model gets 404 with code model_not_found. GET /v1/models lists
// them. Without this option every model name is accepted.
func WithModels(names ...string) Option {
	return func(s *Server) { s.models = append(s.models, names...) }
}

// Replay enqueues responses, typically a recorded session read with
// [ReadReplay], before the server accepts its first request.
func Replay(responses []Response) Option {
	return func(s *Server) { s.initial = append(s.initial, responses...) }
}

// NewServer starts a server on 127.0.0.1 at a random port. Call Close when
// done with it.
func NewServer(opts ...Option) *Server {
	s := &Server{done: make(chan struct{})}
	for _, opt := range opts {
		opt(s)
	}
	s.queue = slices.Clone(s.initial)

	mux := http.NewServeMux()
	for _, prefix := range []string{"/v1", ""} {
		mux.HandleFunc("POST "+prefix+"/chat/completions", s.handleChat)
		mux.HandleFunc("GET "+prefix+"/models", s.handleModels)
		mux.HandleFunc("GET "+prefix+"/models/{id}", s.handleModel)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url",
			fmt.Sprintf("openaitest: no route for %s %s: this server answers POST /v1/chat/completions and GET /v1/models", r.Method, r.URL.Path))
	})
	s.ts = httptest.NewServer(mux)
	return s
}

// URL returns the base URL for a client, ending in "/v1" (go-openai's
// ClientConfig.BaseURL).
func (s *Server) URL() string {
	return s.ts.URL + "/v1"
}

// Close ends pending delays, closes the listener and waits for the
// requests in flight to finish.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		// Connections go first so that a handler ending a delay early
		// cannot finish its response cleanly: clients see a broken
		// connection, never an empty or truncated-but-complete reply.
		s.ts.CloseClientConnections()
		close(s.done)
		s.ts.Close()
	})
}

// Enqueue appends scripted replies; each chat request takes the next one.
func (s *Server) Enqueue(r ...Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, r...)
}

// Pending returns how many scripted replies have not been served yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Requests returns every chat request received whose body decoded,
// including those then refused for their API key or model, in the order
// they arrived.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.apiKey == "" {
		return true
	}
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	switch {
	case auth == "":
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
			"openaitest: you didn't provide an API key; send it as \"Authorization: Bearer KEY\"")
		return false
	case !ok || token != s.apiKey:
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
			fmt.Sprintf("openaitest: incorrect API key provided: %s", redact(token)))
		return false
	}
	return true
}

// redact shows only the end of a key, as OpenAI does in its error.
func redact(key string) string {
	if len(key) <= 4 {
		return strings.Repeat("*", len(key))
	}
	return strings.Repeat("*", min(len(key)-4, 8)) + key[len(key)-4:]
}

func (s *Server) knownModel(name string) bool {
	return len(s.models) == 0 || slices.Contains(s.models, name)
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	list := wireModelList{Object: "list", Data: []wireModel{}}
	for _, m := range s.models {
		list.Data = append(list.Data, modelObject(m))
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	id := r.PathValue("id")
	if !slices.Contains(s.models, id) {
		writeModelNotFound(w, id)
		return
	}
	writeJSON(w, http.StatusOK, modelObject(id))
}

func modelObject(id string) wireModel {
	return wireModel{ID: id, Object: "model", Created: 1700000000, OwnedBy: "openaitest"}
}

func writeModelNotFound(w http.ResponseWriter, model string) {
	writeError(w, http.StatusNotFound, "invalid_request_error", "model_not_found",
		fmt.Sprintf("openaitest: the model `%s` does not exist or you do not have access to it", model))
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "",
			fmt.Sprintf("openaitest: cannot read the request body: %v", err))
		return
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "",
			fmt.Sprintf("openaitest: the request body is not a chat completion request: %v", err))
		return
	}
	req.Header = r.Header.Clone()
	req.Body = body

	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()

	if !s.authorized(w, r) {
		return
	}
	switch {
	case req.Model == "":
		writeError(w, http.StatusBadRequest, "invalid_request_error", "",
			"openaitest: you must provide a model parameter")
		return
	case !s.knownModel(req.Model):
		writeModelNotFound(w, req.Model)
		return
	}

	resp, ok := s.next(req)
	if !ok {
		writeError(w, http.StatusInternalServerError, "server_error", "no_scripted_response",
			"openaitest: no scripted response left (add replies with Server.Enqueue or answer dynamically with WithResponder)")
		return
	}
	s.serve(w, r, req, resp)
}

// next takes the next scripted reply, or asks the responder.
func (s *Server) next(req Request) (Response, bool) {
	s.mu.Lock()
	if len(s.queue) > 0 {
		resp := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		return resp, true
	}
	s.mu.Unlock()
	if s.responder == nil {
		return Response{}, false
	}
	return s.responder(req), true
}

// wait sleeps for d unless the client goes away or the server closes first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// drop closes the connection under the handler. With reset set the close
// sends a TCP reset instead of an orderly shutdown.
func drop(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (e.g. HTTP/2): abort the stream instead.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, req Request, resp Response) {
	if !s.wait(r.Context(), resp.Delay) {
		drop(w, false)
		return
	}
	if resp.DropConnection {
		drop(w, true)
		return
	}

	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	seq := s.completionSeq.Add(1)
	h.Set("X-Request-Id", "req_openaitest_"+strconv.FormatInt(seq, 10))
	setRetryAfter(h, resp.RetryAfter)

	switch {
	case resp.Garbage != "":
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, resp.Garbage)
		return
	case resp.isError():
		typ, code, msg := errorDefaults(resp.Status)
		writeError(w, resp.Status, orDefault(resp.ErrorType, typ), orDefault(resp.ErrorCode, code), orDefault(resp.ErrorMessage, msg))
		return
	}

	for i := range resp.ToolCalls {
		if resp.ToolCalls[i].ID == "" {
			resp.ToolCalls[i].ID = "call_" + strconv.FormatInt(s.callSeq.Add(1), 10)
		}
	}
	id := "chatcmpl-openaitest-" + strconv.FormatInt(seq, 10)
	model := orDefault(resp.Model, req.Model)
	usage := resp.usageFor(req)
	if req.Stream {
		base := wireChunk{
			ID: id, Object: "chat.completion.chunk", Created: time.Now().Unix(),
			Model: model, SystemFingerprint: systemFingerprint,
		}
		s.stream(w, r, resp, streamChunks(base, resp, usage, req.IncludeUsage()))
		return
	}

	msg := wireMessage{Role: "assistant", ToolCalls: resp.ToolCalls}
	if resp.Content != "" || len(resp.ToolCalls) == 0 {
		msg.Content = &resp.Content
	}
	writeJSON(w, http.StatusOK, wireCompletion{
		ID: id, Object: "chat.completion", Created: time.Now().Unix(),
		Model: model, SystemFingerprint: systemFingerprint,
		Choices: []wireChoice{{Message: msg, Logprobs: jsonNull, FinishReason: resp.finishReason()}},
		Usage:   usage,
	})
}

// stream writes chunks as server-sent events, flushing each one.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, resp Response, chunks []wireChunk) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return
	}
	send := func(data []byte) bool {
		if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	for i, c := range chunks {
		if resp.DropAfterChunks > 0 && i == resp.DropAfterChunks {
			drop(w, false)
			return
		}
		if i > 0 && !s.wait(r.Context(), resp.ChunkDelay) {
			// Ending the handler would close the chunked body cleanly,
			// which go-openai cannot tell from a finished stream.
			drop(w, false)
			return
		}
		data, err := json.Marshal(c)
		if err != nil || !send(data) {
			return
		}
	}
	if resp.DropAfterChunks > 0 {
		// Every chunk went out; dropping now still withholds [DONE].
		drop(w, false)
		return
	}
	send([]byte("[DONE]"))
}

func orDefault(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}
