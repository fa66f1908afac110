package openaitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// ReadReplay reads a recorded session: a JSON array of responses, or an
// object {"responses": [...]}. Unlike plain json.Unmarshal of a Response,
// it rejects unknown fields, so that a misspelt key in a hand-edited file
// (say "delay_ms") fails loudly instead of being ignored. See [Response]
// for the field names and the duration format.
func ReadReplay(r io.Reader) ([]Response, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("openaitest: reading replay: %w", err)
	}
	var items []json.RawMessage
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		var wrapper struct {
			Responses []json.RawMessage `json:"responses"`
		}
		if err := strictUnmarshal(trimmed, &wrapper); err != nil {
			return nil, fmt.Errorf("openaitest: replay: want a JSON array of responses or {\"responses\": [...]}: %w", err)
		}
		items = wrapper.Responses
	} else if err := json.Unmarshal(data, &items); err != nil {
		return nil, fmt.Errorf("openaitest: replay: want a JSON array of responses or {\"responses\": [...]}: %w", err)
	}

	responses := make([]Response, len(items))
	for i, item := range items {
		v := responseJSON{responseAlias: (*responseAlias)(&responses[i])}
		if err := strictUnmarshal(item, &v); err != nil {
			return nil, fmt.Errorf("openaitest: replay: response %d: %w", i, err)
		}
		responses[i].RetryAfter = time.Duration(v.RetryAfter)
		responses[i].Delay = time.Duration(v.Delay)
		responses[i].ChunkDelay = time.Duration(v.ChunkDelay)
	}
	return responses, nil
}

// WriteReplay writes responses as an indented JSON array that ReadReplay
// reads back.
func WriteReplay(w io.Writer, responses []Response) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(responses); err != nil {
		return fmt.Errorf("openaitest: writing replay: %w", err)
	}
	return nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the JSON value")
	}
	return nil
}
