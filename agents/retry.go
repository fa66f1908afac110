package agents

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Defaults of RetryPolicy and of OpenAIConfig's retry and timeout fields.
const (
	DefaultMaxRetries     = 3
	DefaultRetryBaseDelay = 500 * time.Millisecond
	DefaultRetryMaxDelay  = 60 * time.Second
	DefaultRequestTimeout = 10 * time.Minute
)

// RetryPolicy says how a failed model call is repeated: up to MaxRetries
// times, for errors that Retryable accepts, waiting between attempts with
// exponential backoff and jitter, or as long as the endpoint's Retry-After
// asked.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt. Zero
	// means DefaultMaxRetries; a negative value disables retries.
	MaxRetries int
	// BaseDelay is the wait before the first retry (default
	// DefaultRetryBaseDelay); each further retry waits twice as long, up to
	// MaxDelay. The actual wait is drawn at random from the upper half of
	// that interval, so that many clients do not retry in step.
	BaseDelay time.Duration
	// MaxDelay caps the backoff (default DefaultRetryMaxDelay). When the
	// endpoint's Retry-After asks for longer than MaxDelay, the call fails
	// at once with the endpoint's error rather than wait that long.
	MaxDelay time.Duration
	// Sleep waits for d or until ctx ends. Tests replace it to run without
	// waiting; the default uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxRetries == 0 {
		p.MaxRetries = DefaultMaxRetries
	}
	if p.MaxRetries < 0 {
		p.MaxRetries = 0
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultRetryBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultRetryMaxDelay
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff returns the wait before retry number n (0-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for range n {
		d *= 2
		if d >= p.MaxDelay {
			d = p.MaxDelay
			break
		}
	}
	d = min(d, p.MaxDelay)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// do calls attempt until it succeeds, fails for good, or retries run out.
// Each retry is announced as a RetryEvent on ctx's event subscribers.
func (p RetryPolicy) do(ctx context.Context, attempt func(ctx context.Context, n int) (LLMResponse, error)) (LLMResponse, error) {
	p = p.withDefaults()
	for n := 0; ; n++ {
		resp, err := attempt(ctx, n)
		if err == nil || ctx.Err() != nil || n >= p.MaxRetries || !Retryable(err) {
			if err != nil && n > 0 {
				err = fmt.Errorf("after %d attempts: %w", n+1, err)
			}
			return resp, err
		}
		wait := p.backoff(n)
		if ra := retryAfter(err); ra > 0 {
			if ra > p.MaxDelay {
				return resp, fmt.Errorf("not retrying: the endpoint asked to wait %s, longer than the retry limit of %s: %w", ra, p.MaxDelay, err)
			}
			wait = ra
		}
		emit(ctx, &RetryEvent{Attempt: n + 1, Delay: wait, Err: err, Partial: resp.Content})
		if serr := p.Sleep(ctx, wait); serr != nil {
			return resp, fmt.Errorf("%w (while waiting to retry after: %w)", serr, err)
		}
	}
}

// WithRetry wraps llm so that failed calls are repeated according to p.
// The OpenAI type already retries according to its OpenAIConfig; use
// WithRetry for other LLM implementations whose errors wrap ErrRateLimited,
// ErrServer, ErrTimeout or ErrConnection (or an *APIError).
func WithRetry(llm LLM, p RetryPolicy) LLM {
	return LLMFunc(func(ctx context.Context, req LLMRequest) (LLMResponse, error) {
		return p.do(ctx, func(ctx context.Context, _ int) (LLMResponse, error) {
			return llm.Complete(ctx, req)
		})
	})
}
