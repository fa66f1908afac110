package conversation_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heard answers with the first message it was sent, so a test can see what
// was carried over.
func heard(name, answer string) conversation.Participant {
	return conversation.ParticipantFunc{ParticipantName: name, Func: func(_ context.Context, c *conversation.Chat) (conversation.Message, error) {
		return conversation.Message{Content: answer + " TERMINATE"}, nil
	}}
}

func TestRunSequentialCarriesSummariesOver(t *testing.T) {
	user := echo("user")
	res, err := conversation.RunSequential(context.Background(), []conversation.SequentialChat{
		{Initiator: user, Recipient: heard("researcher", "Paris has 2.1 million people."), Message: "Find the population of Paris."},
		{Initiator: user, Recipient: heard("analyst", "That is about 3% of France."), Message: "Compare it with France.", CarryOver: []string{"France has 68 million people."}},
		{Initiator: user, Recipient: heard("writer", "Done."), Message: "Write it up.",
			Summary: func(_ context.Context, r *conversation.Result) (string, error) { return "custom summary", nil }},
	})
	require.NoError(t, err)
	require.Len(t, res, 3)
	assert.Equal(t, "Paris has 2.1 million people.", res[0].Summary, "TERMINATE is stripped from last-message summaries")
	assert.Equal(t, "Compare it with France.\nContext:\nFrance has 68 million people.\nParis has 2.1 million people.", res[1].History[0].Content)
	assert.Equal(t, "Write it up.\nContext:\nParis has 2.1 million people.\nThat is about 3% of France.", res[2].History[0].Content)
	assert.Equal(t, "custom summary", res[2].Summary)
}

func TestRunSequentialWithGroupAndFailure(t *testing.T) {
	user := echo("user")
	g := &conversation.GroupChat{Members: []conversation.Participant{user, heard("a", "from the group")}}
	boom := errors.New("summary model down")
	res, err := conversation.RunSequential(context.Background(), []conversation.SequentialChat{
		{Initiator: user, Group: g, Message: "first"},
		{Initiator: user, Recipient: heard("b", "x"), Message: "second",
			Summary: func(context.Context, *conversation.Result) (string, error) { return "", boom }},
		{Initiator: user, Recipient: heard("c", "never"), Message: "third"},
	})
	require.ErrorIs(t, err, boom)
	require.ErrorContains(t, err, "sequential chat 2")
	require.Len(t, res, 2)
	assert.Equal(t, "from the group", res[0].Summary)
	assert.True(t, strings.HasSuffix(res[1].History[0].Content, "from the group"))

	_, err = conversation.RunSequential(context.Background(), []conversation.SequentialChat{{Initiator: user, Message: "x"}})
	require.ErrorContains(t, err, "needs a Recipient or a Group")
}

func TestLastMessageSummary(t *testing.T) {
	r := &conversation.Result{History: []conversation.Message{{Content: "answer 42"}, {Content: "TERMINATE"}}}
	s, err := conversation.LastMessage(context.Background(), r)
	require.NoError(t, err)
	assert.Equal(t, "answer 42", s, "a bare TERMINATE is skipped")
	assert.Equal(t, "m", conversation.WithCarryOver("m", []string{" ", ""}))
}
