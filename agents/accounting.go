package agents

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/parley-go/parley/conversation"
)

// Price is what a model costs, in any currency unit, per million tokens.
type Price struct {
	Prompt     float64 `json:"prompt"`
	Completion float64 `json:"completion"`
}

// Prices maps model names to prices. A model reported with a dated suffix
// ("gpt-4o-mini-2024-07-18") takes the price of the longest name it starts
// with ("gpt-4o-mini").
type Prices map[string]Price

func (p Prices) lookup(model string) (Price, bool) {
	if pr, ok := p[model]; ok {
		return pr, true
	}
	best := ""
	for name := range p {
		if strings.HasPrefix(model, name) && len(name) > len(best) {
			best = name
		}
	}
	if best == "" {
		return Price{}, false
	}
	return p[best], true
}

// Cost returns what usage u costs, and false when u's model has no price.
func (p Prices) Cost(u conversation.Usage) (float64, bool) {
	pr, ok := p.lookup(u.Model)
	if !ok {
		return 0, u.TotalTokens == 0
	}
	return (float64(u.PromptTokens)*pr.Prompt + float64(u.CompletionTokens)*pr.Completion) / 1e6, true
}

// AgentAccount is one agent's share of a chat.
type AgentAccount struct {
	Usage conversation.Usage `json:"usage"`
	Cost  float64            `json:"cost"`
	// ExecutorTime is the time the agent's executions took (wall clock of
	// each batch).
	ExecutorTime time.Duration `json:"executor_time"`
	Executions   int           `json:"executions"`
}

// Account summarises what a chat spent.
type Account struct {
	Usage conversation.Usage `json:"usage"`
	// Cost is the price of Usage; it leaves out models in Unpriced.
	Cost     float64  `json:"cost"`
	Unpriced []string `json:"unpriced,omitempty"`
	// ExecutorTime is the wall-clock time spent running code, from the
	// execution records in the transcript; Executions counts them and
	// Blocks counts the blocks that ran.
	ExecutorTime time.Duration           `json:"executor_time"`
	Executions   int                     `json:"executions"`
	Blocks       int                     `json:"blocks"`
	ByAgent      map[string]AgentAccount `json:"by_agent"`
}

// Accounting summarises a finished chat: token usage per agent and in all
// (the same as the Result's), its cost under prices (which may be nil), and
// the time spent in executors, read from the ExecutionRecords that code
// executors attach to their messages.
func Accounting(res *conversation.Result, prices Prices) Account {
	acc := Account{ByAgent: map[string]AgentAccount{}}
	if res == nil {
		return acc
	}
	unpriced := map[string]bool{}
	for _, m := range res.History {
		a := acc.ByAgent[m.Name]
		touched := false
		if m.Usage != nil {
			touched = true
			acc.Usage = acc.Usage.Add(*m.Usage)
			a.Usage = a.Usage.Add(*m.Usage)
			if c, ok := prices.Cost(*m.Usage); ok {
				acc.Cost += c
				a.Cost += c
			} else {
				unpriced[m.Usage.Model] = true
			}
		}
		if raw, ok := m.Meta[MetaExecution]; ok {
			var rec ExecutionRecord
			if json.Unmarshal(raw, &rec) == nil {
				touched = true
				acc.ExecutorTime += rec.Duration
				acc.Executions++
				a.ExecutorTime += rec.Duration
				a.Executions++
				if rec.Result != nil {
					acc.Blocks += len(rec.Result.Blocks)
				}
			}
		}
		if touched {
			acc.ByAgent[m.Name] = a
		}
	}
	for m := range unpriced {
		acc.Unpriced = append(acc.Unpriced, m)
	}
	slices.Sort(acc.Unpriced)
	return acc
}
