// Package walk holds the two pieces every walkthrough program shares: the
// model (a real endpoint, or a recorded session served offline) and a plain
// printer of the chat.
package walk

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/conversation"
)

// Model returns the model the agents talk to. With OPENAI_API_KEY set it is
// that endpoint (OPENAI_BASE_URL, OPENAI_MODEL). Without it, the recorded
// session replay (a JSON array of responses) is served on a loopback port by
// the in-process fake server, and the same OpenAI client talks to it: the
// program runs offline and prints the same chat every time. Call the
// returned function when done.
func Model(replay []byte) (agents.LLM, func(), error) {
	cfg := agents.OpenAIConfigFromEnv()
	if cfg.APIKey != "" {
		llm, err := agents.NewOpenAI(cfg)
		return llm, func() {}, err
	}
	responses, err := openaitest.ReadReplay(bytes.NewReader(replay))
	if err != nil {
		return nil, nil, fmt.Errorf("embedded replay: %w", err)
	}
	const key = "offline"
	srv := openaitest.NewServer(openaitest.Replay(responses), openaitest.WithAPIKey(key))
	fmt.Fprintf(os.Stderr, "(%s is not set: replaying a recorded model session offline)\n", agents.EnvAPIKey)
	cfg.APIKey, cfg.BaseURL, cfg.Model = key, srv.URL(), "recorded-gpt-4o-mini"
	llm, err := agents.NewOpenAI(cfg)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return llm, srv.Close, nil
}

// Printer returns an observer that prints each message as it joins the
// transcript.
func Printer(w io.Writer) func(conversation.Message) {
	return func(m conversation.Message) {
		origin := string(m.Origin)
		if origin == "" {
			origin = "message"
		}
		fmt.Fprintf(w, "── %s (%s)\n%s\n\n", m.Name, origin, strings.TrimRight(m.Content, "\n"))
	}
}

// Ended prints why a chat ended.
func Ended(w io.Writer, r *conversation.Result) {
	why := string(r.Reason)
	if r.Detail != "" {
		why += ": " + r.Detail
	}
	fmt.Fprintf(w, "== chat ended (%s) after %d message(s)\n", why, len(r.History))
}
