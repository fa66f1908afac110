package conversation_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/parley-go/parley/conversation"
	"github.com/stretchr/testify/require"
)

// FuzzReadTranscript checks that any input, however mangled, gives messages
// and an error, never a panic, and that whole lines written by the writer
// always read back.
func FuzzReadTranscript(f *testing.F) {
	var buf bytes.Buffer
	w := conversation.NewTranscriptWriter(&buf)
	require.NoError(f, w.Write(conversation.Message{Name: "a", Content: "hi\n```py\nprint(1)\n```"}))
	require.NoError(f, w.Write(conversation.Message{Name: "b", Content: "TERMINATE", Origin: conversation.OriginLLM}))
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:buf.Len()-7])
	f.Add([]byte("{}\n\n{\"name\":1}\n"))
	f.Add([]byte{0xff, '\n', '{'})
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, err := conversation.ReadTranscript(bytes.NewReader(data))
		if err != nil && errors.Is(err, conversation.ErrTruncatedTranscript) {
			// Whatever was read before the cut must write and read back whole.
			var out bytes.Buffer
			w := conversation.NewTranscriptWriter(&out)
			for _, m := range msgs {
				require.NoError(t, w.Write(m))
			}
			back, err := conversation.ReadTranscript(&out)
			require.NoError(t, err)
			require.Len(t, back, len(msgs))
		}
	})
}
