package jupyter

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// protocolVersion is the Jupyter messaging protocol version we speak.
const protocolVersion = "5.3"

// maxMessageBytes bounds one websocket message (a large plot is a few MB of
// base64); larger messages drop the connection.
const maxMessageBytes = 64 << 20

type header struct {
	MsgID    string `json:"msg_id,omitempty"`
	MsgType  string `json:"msg_type,omitempty"`
	Username string `json:"username,omitempty"`
	Session  string `json:"session,omitempty"`
	Date     string `json:"date,omitempty"`
	Version  string `json:"version,omitempty"`
}

// message is one Jupyter message in the websocket JSON format.
type message struct {
	Header       header          `json:"header"`
	ParentHeader header          `json:"parent_header"`
	Metadata     map[string]any  `json:"metadata"`
	Content      json.RawMessage `json:"content"`
	Channel      string          `json:"channel"`
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// channels is the websocket to one kernel. It outlives individual
// connections: when one drops, connect dials again with the same session id,
// and Jupyter Server replays what it buffered meanwhile.
type channels struct {
	url     string
	hdr     http.Header
	hc      *http.Client
	session string
	log     *slog.Logger

	mu      sync.Mutex
	ws      *websocket.Conn
	broken  chan struct{} // closed when ws fails
	waiters map[string]chan *message
	closed  bool
}

func newChannels(url string, hdr http.Header, hc *http.Client, log *slog.Logger) *channels {
	return &channels{url: url, hdr: hdr, hc: hc, session: newID(), log: log, waiters: map[string]chan *message{}}
}

// kernelEvent is delivered to every waiter when the server reports the
// kernel as restarting (it died) or dead.
const kernelEvent = "parley_kernel_event"

// connect dials if there is no live connection and returns a channel closed
// when the connection breaks.
func (c *channels) connect(ctx context.Context) (<-chan struct{}, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("jupyter: channels closed")
	}
	if c.ws != nil {
		return c.broken, nil
	}
	ws, _, err := websocket.Dial(ctx, c.url, &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: c.hdr})
	if err != nil {
		return nil, fmt.Errorf("jupyter: connect to kernel channels %s: %w", c.url, err)
	}
	ws.SetReadLimit(maxMessageBytes)
	c.ws = ws
	c.broken = make(chan struct{})
	go c.read(ws, c.broken)
	return c.broken, nil
}

func (c *channels) read(ws *websocket.Conn, broken chan struct{}) {
	defer close(broken)
	for {
		_, data, err := ws.Read(context.Background())
		if err != nil {
			c.mu.Lock()
			if c.ws == ws {
				c.ws = nil
			}
			closed := c.closed
			c.mu.Unlock()
			if !closed {
				c.log.Warn("jupyter: kernel websocket dropped", "err", err)
			}
			_ = ws.CloseNow()
			return
		}
		var m message
		if err := json.Unmarshal(data, &m); err != nil {
			c.log.Warn("jupyter: bad message from kernel", "err", err)
			continue
		}
		c.dispatch(&m)
	}
}

func (c *channels) dispatch(m *message) {
	c.mu.Lock()
	var targets []chan *message
	if w, ok := c.waiters[m.ParentHeader.MsgID]; ok && m.ParentHeader.MsgID != "" {
		targets = append(targets, w)
	} else if m.Header.MsgType == "status" && m.ParentHeader.MsgID == "" {
		var st struct {
			State string `json:"execution_state"`
		}
		_ = json.Unmarshal(m.Content, &st)
		switch st.State {
		case "restarting", "autorestarting", "dead":
			ev := *m
			ev.Header.MsgType = kernelEvent
			m = &ev
			for _, w := range c.waiters {
				targets = append(targets, w)
			}
		}
	}
	c.mu.Unlock()
	for _, w := range targets {
		// Waiters drain their channel until they unregister; a waiter that
		// has gone away must not block the reader.
		select {
		case w <- m:
		case <-time.After(5 * time.Second):
			c.log.Warn("jupyter: dropped a kernel message nobody read", "type", m.Header.MsgType)
		}
	}
}

// watch delivers the replies to the given message ids to ch until the
// returned function is called.
func (c *channels) watch(ch chan *message, ids ...string) (stop func()) {
	c.mu.Lock()
	for _, id := range ids {
		c.waiters[id] = ch
	}
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		for _, id := range ids {
			delete(c.waiters, id)
		}
		c.mu.Unlock()
	}
}

// request builds a message from us.
func (c *channels) request(msgType, channel string, content any, parent *header) (*message, error) {
	b, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	m := &message{
		Header: header{
			MsgID: newID(), MsgType: msgType, Username: "parley", Session: c.session,
			Date: time.Now().UTC().Format(time.RFC3339Nano), Version: protocolVersion,
		},
		Metadata: map[string]any{},
		Content:  b,
		Channel:  channel,
	}
	if parent != nil {
		m.ParentHeader = *parent
	}
	return m, nil
}

func (c *channels) send(ctx context.Context, m *message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.mu.Lock()
	ws := c.ws
	c.mu.Unlock()
	if ws == nil {
		return errors.New("jupyter: not connected to the kernel")
	}
	if err := ws.Write(ctx, websocket.MessageText, data); err != nil {
		if ctx.Err() == nil {
			// The connection is gone (the reader may not have noticed yet):
			// forget it, so that the next connect dials anew.
			c.mu.Lock()
			if c.ws == ws {
				c.ws = nil
			}
			c.mu.Unlock()
			_ = ws.CloseNow()
			err = &sendError{err: err}
		}
		return fmt.Errorf("jupyter: send %s: %w", m.Header.MsgType, err)
	}
	return nil
}

// sendError marks a send that failed because the connection broke: the
// message did not reach the server whole, so it may be sent again on a new
// connection.
type sendError struct{ err error }

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// deliver sends m, dialling first if there is no live connection, and
// returns the channel closed when the connection that carried m breaks.
// When the write is what finds the connection dropped (the reader may not
// have noticed yet), it dials once more and resends: a websocket frame is
// delivered whole or not at all, so m never reached the kernel.
func (c *channels) deliver(ctx context.Context, m *message) (<-chan struct{}, error) {
	for retried := false; ; retried = true {
		broken, err := c.connect(ctx)
		if err != nil {
			return nil, err
		}
		err = c.send(ctx, m)
		var dropped *sendError
		if err == nil || retried || !errors.As(err, &dropped) {
			return broken, err
		}
		c.log.Warn("jupyter: kernel websocket dropped; reconnecting", "err", err)
	}
}

func (c *channels) close() {
	c.mu.Lock()
	c.closed = true
	ws := c.ws
	c.ws = nil
	c.mu.Unlock()
	if ws != nil {
		_ = ws.Close(websocket.StatusNormalClosure, "")
	}
}

// kernelInfo waits until the kernel answers a kernel_info_request, which is
// how clients know a kernel is ready, and returns its language name.
// Requests sent before the kernel is up can be lost, so it asks again every
// second.
func (c *channels) kernelInfo(ctx context.Context) (string, error) {
	ch := make(chan *message, 16)
	for {
		broken, err := c.connect(ctx)
		if err != nil {
			return "", err
		}
		req, err := c.request("kernel_info_request", "shell", struct{}{}, nil)
		if err != nil {
			return "", err
		}
		stop := c.watch(ch, req.Header.MsgID)
		err = c.send(ctx, req)
		t := time.NewTimer(time.Second)
	wait:
		for err == nil {
			select {
			case m := <-ch:
				if m.Header.MsgType != "kernel_info_reply" {
					continue
				}
				stop()
				t.Stop()
				var info struct {
					LanguageInfo struct {
						Name string `json:"name"`
					} `json:"language_info"`
				}
				_ = json.Unmarshal(m.Content, &info)
				return info.LanguageInfo.Name, nil
			case <-broken:
				break wait
			case <-t.C:
				break wait
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
		stop()
		t.Stop()
		if ctx.Err() != nil {
			return "", fmt.Errorf("jupyter: kernel did not answer kernel_info_request: %w", ctx.Err())
		}
		if err != nil {
			select { // do not spin on a failing send
			case <-time.After(200 * time.Millisecond):
			case <-ctx.Done():
			}
		}
	}
}
