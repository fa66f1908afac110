package agents_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parley-go/parley/agents"
	"github.com/parley-go/parley/conversation"
	"github.com/parley-go/parley/executors"
)

// brokenFirst fails as an executor for code containing "broken" and runs
// anything else.
type brokenFirst struct{ fakeExecutor }

func (b *brokenFirst) Execute(ctx context.Context, blocks []executors.CodeBlock) (executors.Result, error) {
	if strings.Contains(blocks[0].Code, "broken") {
		return executors.Result{}, errors.New("engine went away")
	}
	return b.fakeExecutor.Execute(ctx, blocks)
}

// The record's results stay paired with the blocks that ran, by position,
// even when one call's executor failed.
func TestRunCodeRecordKeepsResultsInPlace(t *testing.T) {
	var rec agents.ExecutionRecord
	runner, err := agents.New("runner", agents.WithCodeExecution(agents.CodeExecution{
		Executor: &brokenFirst{fakeExecutor{output: "ok\n"}},
		Approver: agents.AutoApprove(),
		OnRecord: func(_ context.Context, r agents.ExecutionRecord) { rec = r },
	}))
	require.NoError(t, err)
	chat := conversation.NewChat("", "writer", "runner")
	require.NoError(t, chat.Append(conversation.Message{Name: "writer", ToolCalls: []conversation.ToolCall{
		{ID: "1", Name: agents.RunCodeToolName, Arguments: `{"language":"sh","code":"echo broken"}`},
		{ID: "2", Name: agents.RunCodeToolName, Arguments: `{"language":"sh","code":"echo fine"}`},
	}}))
	_, err = runner.Reply(context.Background(), chat)
	require.ErrorContains(t, err, "engine went away")

	require.NotNil(t, rec.Result)
	require.Len(t, rec.Result.Blocks, 2)
	assert.Equal(t, "echo broken", rec.Result.Blocks[0].Block.Code)
	assert.Equal(t, 1, rec.Result.Blocks[0].ExitCode)
	assert.Contains(t, rec.Result.Blocks[0].Output, "engine went away")
	assert.Equal(t, "echo fine", rec.Result.Blocks[1].Block.Code)
	assert.Equal(t, "ok\n", rec.Result.Blocks[1].Output)
}
