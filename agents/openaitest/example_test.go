package openaitest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/parley-go/parley/agents/openaitest"
	openai "github.com/sashabaranov/go-openai"
)

// The real go-openai client talks to the fake server over loopback.
func Example() {
	srv := openaitest.NewServer(openaitest.WithAPIKey("sk-test"))
	defer srv.Close()
	srv.Enqueue(openaitest.Response{
		Content: "```python\nprint('hello')\n```",
		Usage:   openaitest.Usage{PromptTokens: 12, CompletionTokens: 8},
	})

	cfg := openai.DefaultConfig("sk-test")
	cfg.BaseURL = srv.URL()
	client := openai.NewClientWithConfig(cfg)

	resp, err := client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: openai.GPT4oMini,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleUser, Content: "Say hello in Python."},
		},
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(resp.Choices[0].Message.Content)
	fmt.Println("tokens:", resp.Usage.TotalTokens)
	fmt.Println("server saw:", srv.Requests()[0].Messages[0].Content)
	// Output:
	// ```python
	// print('hello')
	// ```
	// tokens: 20
	// server saw: Say hello in Python.
}

// A recorded session, as a JSON file would hold it, replayed through a
// streaming client: a rate-limit error first, then the answer.
func ExampleReplay() {
	recorded := `[
	  {"status": 429, "retry_after": "1s"},
	  {"content": "Hello from the replay.", "chunk_delay": "1ms"}
	]`
	responses, err := openaitest.ReadReplay(strings.NewReader(recorded))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	srv := openaitest.NewServer(openaitest.Replay(responses))
	defer srv.Close()

	cfg := openai.DefaultConfig("sk-any")
	cfg.BaseURL = srv.URL()
	client := openai.NewClientWithConfig(cfg)
	req := openai.ChatCompletionRequest{
		Model:    openai.GPT4oMini,
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Hi"}},
	}

	_, err = client.CreateChatCompletionStream(context.Background(), req)
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("first attempt:", apiErr.HTTPStatusCode, apiErr.Code)
	}

	stream, err := client.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer stream.Close()
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "" {
			fmt.Printf("%q\n", chunk.Choices[0].Delta.Content)
		}
	}
	// Output:
	// first attempt: 429 rate_limit_exceeded
	// "Hello"
	// " from"
	// " the"
	// " replay."
}
