package openaitest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/parley-go/parley/agents/openaitest"
	openai "github.com/sashabaranov/go-openai"
)

const benchContent = "Here is the code:\n\n```python\nprint('hello, world')\n```\n"

// cannedServer is the baseline: a handler that writes a fixed body, so the
// benchmarks below show what openaitest adds over bare HTTP on loopback.
func cannedServer(contentType, body string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, body)
	}))
}

func benchClient(baseURL string) *openai.Client {
	cfg := openai.DefaultConfig("sk-bench")
	cfg.BaseURL = baseURL
	return openai.NewClientWithConfig(cfg)
}

func fixedReply(openaitest.Request) openaitest.Response {
	return openaitest.Response{Content: benchContent}
}

func BenchmarkCompletion(b *testing.B) {
	canned := cannedServer("application/json", `{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Here is the code:\n\n`+"```"+`python\nprint('hello, world')\n`+"```"+`\n"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10}}`)
	defer canned.Close()
	srv := openaitest.NewServer(openaitest.WithResponder(fixedReply))
	defer srv.Close()

	for _, bc := range []struct{ name, url string }{
		{"baseline=canned", canned.URL + "/v1"},
		{"openaitest", srv.URL()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := benchClient(bc.url)
			req := userRequest("Say hello in Python.")
			for b.Loop() {
				resp, err := client.CreateChatCompletion(context.Background(), req)
				if err != nil || resp.Choices[0].Message.Content != benchContent {
					b.Fatalf("got %+v, %v", resp, err)
				}
			}
		})
	}
}

func BenchmarkStream(b *testing.B) {
	canned := cannedServer("text/event-stream",
		`data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Here is the code:\n\n`+"```"+`python\nprint('hello, world')\n`+"```"+`\n"},"finish_reason":null}]}`+"\n\n"+
			`data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n"+
			"data: [DONE]\n\n")
	defer canned.Close()
	srv := openaitest.NewServer(openaitest.WithResponder(fixedReply))
	defer srv.Close()

	for _, bc := range []struct{ name, url string }{
		{"baseline=canned", canned.URL + "/v1"},
		{"openaitest", srv.URL()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			client := benchClient(bc.url)
			req := userRequest("Say hello in Python.")
			for b.Loop() {
				stream, err := client.CreateChatCompletionStream(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				for {
					_, err := stream.Recv()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				stream.Close()
			}
		})
	}
}
