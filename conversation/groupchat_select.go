package conversation

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
)

// Selection is what a speaker selector sees when it picks the next speaker.
type Selection struct {
	// Chat is the chat so far.
	Chat *Chat
	// Last is the member who sent the latest message; nil when the latest
	// message came from outside the group.
	Last Participant
	// Members are all members, in the group's order.
	Members []Participant
	// Candidates are the members allowed to speak next, in the group's
	// order; the selector must pick one of them.
	Candidates []Participant
	// Round counts the messages so far.
	Round int
}

// SpeakerSelector picks who speaks next in a group chat. Returning a
// *StopError (for example a human typing exit) ends the chat with its
// reason; any other error ends it with ReasonError.
type SpeakerSelector interface {
	SelectSpeaker(ctx context.Context, s Selection) (Participant, error)
}

// SelectorFunc adapts a function to SpeakerSelector: the "custom Go
// function" selection method.
type SelectorFunc func(ctx context.Context, s Selection) (Participant, error)

// SelectSpeaker calls f.
func (f SelectorFunc) SelectSpeaker(ctx context.Context, s Selection) (Participant, error) {
	return f(ctx, s)
}

// RoundRobin returns a selector that picks the candidate following the last
// speaker in the group's order, wrapping around.
func RoundRobin() SpeakerSelector {
	return SelectorFunc(func(_ context.Context, s Selection) (Participant, error) {
		return NextInOrder(s), nil
	})
}

// NextInOrder returns the first candidate after the last speaker in the
// group's order, wrapping around. Other selectors use it as their fallback.
func NextInOrder(s Selection) Participant {
	if len(s.Candidates) == 0 {
		return nil
	}
	start := 0
	if s.Last != nil {
		for i, m := range s.Members {
			if m.Name() == s.Last.Name() {
				start = i + 1
				break
			}
		}
	}
	for k := range len(s.Members) {
		m := s.Members[(start+k)%len(s.Members)]
		for _, c := range s.Candidates {
			if c.Name() == m.Name() {
				return c
			}
		}
	}
	return s.Candidates[0]
}

// Random returns a selector that picks a candidate at random, other than the
// last speaker when there is another. A nil src uses a randomly seeded
// source; pass a seeded one (rand.NewPCG) for reproducible chats.
func Random(src rand.Source) SpeakerSelector {
	if src == nil {
		src = rand.NewPCG(rand.Uint64(), rand.Uint64())
	}
	r := &randomSelector{rng: rand.New(src)}
	return r
}

type randomSelector struct {
	mu  sync.Mutex // rand.Rand is not safe for concurrent use
	rng *rand.Rand
}

func (r *randomSelector) SelectSpeaker(_ context.Context, s Selection) (Participant, error) {
	cands := s.Candidates
	if s.Last != nil && len(cands) > 1 {
		others := make([]Participant, 0, len(cands))
		for _, c := range cands {
			if c.Name() != s.Last.Name() {
				others = append(others, c)
			}
		}
		if len(others) > 0 {
			cands = others
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	r.mu.Lock()
	i := r.rng.IntN(len(cands))
	r.mu.Unlock()
	return cands[i], nil
}

// Transitions is a graph of who may speak after whom, by name.
type Transitions struct {
	graph      map[string][]string
	disallowed bool
}

// AllowedTransitions returns a graph in which, after member from, only the
// members in graph[from] may speak. A member missing from the graph may be
// followed by nobody.
func AllowedTransitions(graph map[string][]string) *Transitions {
	return &Transitions{graph: graph}
}

// DisallowedTransitions returns a graph in which, after member from, every
// member except those in graph[from] may speak.
func DisallowedTransitions(graph map[string][]string) *Transitions {
	return &Transitions{graph: graph, disallowed: true}
}

// Allows reports whether to may speak right after from.
func (t *Transitions) Allows(from, to string) bool {
	listed := false
	for _, n := range t.graph[from] {
		if n == to {
			listed = true
			break
		}
	}
	return listed != t.disallowed
}

func (t *Transitions) check(members map[string]bool) error {
	var unknown []string
	for from, tos := range t.graph {
		if !members[from] {
			unknown = append(unknown, from)
		}
		for _, to := range tos {
			if !members[to] {
				unknown = append(unknown, to)
			}
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("conversation: the transition graph names non-members: %s", strings.Join(unknown, ", "))
	}
	return nil
}
