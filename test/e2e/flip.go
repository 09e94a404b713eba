package e2e

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnbackend"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// Attempt is one connection of a flip measurement.
type Attempt struct {
	// At is when the attempt started, from the measurement's start.
	At      time.Duration
	Allowed bool
	Err     error
	done    bool
}

// Flip is a measured verdict change.
type Flip struct {
	// After is the time from start to the first attempt after which every attempt got the new verdict.
	After    time.Duration
	Attempts []Attempt
}

// FlipOptions tune MeasureFlip.
type FlipOptions struct {
	Interval     time.Duration // between attempts' starts; 5 ms when zero
	ProbeTimeout time.Duration // how long an attempt waits for a reply; 200 ms when zero
	Steady       int           // attempts in a row with the new verdict that end the measurement; 20 when zero
	Timeout      time.Duration // give up after; 20 s when zero
}

// MeasureFlip starts a connection from `from` to target every Interval until Steady attempts in a row
// (in the order they started) got the verdict want, judged as the datapath backend judges a probe
// (ovnbackend.Judge; dst names the server that must answer). Flip.After is the time from start (taken by
// the caller right before its API write) to the start of the first attempt of that run: before it the
// packets had not obeyed the change yet, from it on they did. A TCP SYN that a drop swallowed is sent
// again only after a second, longer than an attempt waits, so an attempt's verdict is that of the moment
// it started.
func MeasureFlip(ctx context.Context, from *ovnsandbox.Netns, dst string, target probe.Target, want bool,
	start time.Time, opts FlipOptions) (Flip, error) {
	if opts.Interval == 0 {
		opts.Interval = 5 * time.Millisecond
	}
	if opts.ProbeTimeout == 0 {
		opts.ProbeTimeout = 200 * time.Millisecond
	}
	if opts.Steady == 0 {
		opts.Steady = 20
	}
	if opts.Timeout == 0 {
		opts.Timeout = 20 * time.Second
	}
	var mu sync.Mutex
	var attempts []*Attempt
	var wg sync.WaitGroup
	// steadyFrom is the index of the first attempt of a run of Steady wanted verdicts among the attempts
	// whose predecessors all finished; -1 while there is none.
	steadyFrom := func() int {
		run := 0
		for i, a := range attempts {
			if !a.done {
				break
			}
			if a.Err == nil && a.Allowed == want {
				run++
			} else {
				run = 0
			}
			if run >= opts.Steady {
				return i - run + 1
			}
		}
		return -1
	}
	tick := time.NewTicker(opts.Interval)
	defer tick.Stop()
	deadline := time.After(opts.Timeout)
	found := -1
	for found < 0 {
		select {
		case <-ctx.Done():
			wg.Wait()
			return Flip{}, ctx.Err()
		case <-deadline:
			wg.Wait()
			return Flip{Attempts: finished(attempts)}, fmt.Errorf("%s -> %s did not settle on allowed=%v within %v",
				from.Key, target, want, opts.Timeout)
		case <-tick.C:
		}
		a := &Attempt{At: time.Since(start)}
		mu.Lock()
		attempts = append(attempts, a)
		found = steadyFrom()
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := ovnsandbox.DialIn(from, target, opts.ProbeTimeout)
			allowed := false
			if err == nil {
				allowed, err = judgeAllowed(dst, target, r)
			}
			mu.Lock()
			a.Allowed, a.Err, a.done = allowed, err, true
			mu.Unlock()
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return Flip{After: attempts[found].At, Attempts: finished(attempts)}, nil
}

func judgeAllowed(dst string, target probe.Target, r probe.Result) (bool, error) {
	v, err := ovnbackend.Judge(dst, target, r)
	return v.Allowed, err
}

func finished(attempts []*Attempt) []Attempt {
	out := make([]Attempt, 0, len(attempts))
	for _, a := range attempts {
		if a.done {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].At < out[j].At })
	return out
}
