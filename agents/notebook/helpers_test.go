package notebook_test

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}
