package agents_test

import (
	"context"
	"sync"
	"testing"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/agents/openaitest"
	"github.com/parley-go/parley/executors"
	"github.com/stretchr/testify/require"
)

const testKey = "sk-test-key"

// newLLM returns a real go-openai client pointed at an in-process server.
func newLLM(t *testing.T, opts ...openaitest.Option) (*agents.OpenAI, *openaitest.Server) {
	t.Helper()
	srv := openaitest.NewServer(append([]openaitest.Option{openaitest.WithAPIKey(testKey)}, opts...)...)
	t.Cleanup(srv.Close)
	llm, err := agents.NewOpenAI(agents.OpenAIConfig{BaseURL: srv.URL(), APIKey: testKey, Model: "test-model", Retry: agents.RetryPolicy{Sleep: noSleep}})
	require.NoError(t, err)
	return llm, srv
}

// fakeExecutor records what it is asked to run and answers with fixed
// output per call. Agent logic is tested against it; the real executors
// are tested in their packages and in the integration test below.
type fakeExecutor struct {
	mu     sync.Mutex
	calls  [][]executors.CodeBlock
	output string
	exit   int
	closed int
}

func (f *fakeExecutor) Execute(ctx context.Context, blocks []executors.CodeBlock) (executors.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, blocks)
	var res executors.Result
	for _, b := range blocks {
		res.Blocks = append(res.Blocks, executors.BlockResult{Block: b, ExitCode: f.exit, Output: f.output})
	}
	return res, nil
}
func (f *fakeExecutor) Restart(context.Context) error { return nil }
func (f *fakeExecutor) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
	return nil
}
func (f *fakeExecutor) ran() [][]executors.CodeBlock {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]executors.CodeBlock(nil), f.calls...)
}
