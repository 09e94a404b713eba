package transient

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnbackend"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// prober starts a connection from one pod to a target every interval, each on its own goroutine, and
// counts the attempts whose verdict differs from the one expected throughout.
type prober struct {
	from     *ovnsandbox.Netns
	dst      string // the server's key, which its reply must name
	target   probe.Target
	allow    bool // the verdict expected throughout
	interval time.Duration
	timeout  time.Duration

	mu       sync.Mutex
	start    time.Time
	attempts int
	wrong    []time.Duration // when each attempt with the wrong verdict started, from start
	errs     []string        // attempts that could not be judged (something answered that is no server)
}

// run probes until ctx ends and returns once every attempt has finished.
func (p *prober) run(ctx context.Context) {
	var wg sync.WaitGroup
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	p.start = time.Now()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-tick.C:
		}
		at := time.Since(p.start)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := ovnsandbox.DialIn(p.from, p.target, p.timeout)
			var allowed bool
			if err == nil {
				verdict, jerr := ovnbackend.Judge(p.dst, p.target, r)
				allowed, err = verdict.Allowed, jerr
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			p.attempts++
			switch {
			case err != nil:
				p.errs = append(p.errs, fmt.Sprintf("%v: %v", at.Round(time.Millisecond), err))
			case allowed != p.allow:
				p.wrong = append(p.wrong, at)
			}
		}()
	}
}

// result is what a prober counted.
type result struct {
	attempts int
	wrong    []time.Duration
	errs     []string
}

func (p *prober) result() result {
	p.mu.Lock()
	defer p.mu.Unlock()
	wrong := slices.Clone(p.wrong)
	slices.Sort(wrong) // attempts finish out of order
	return result{attempts: p.attempts, wrong: wrong, errs: slices.Clone(p.errs)}
}

// windows groups wrong verdicts that started within gap of each other, as "at+length (n)" each.
func windows(wrong []time.Duration, gap time.Duration) []string {
	var out []string
	for i := 0; i < len(wrong); {
		j := i
		for j+1 < len(wrong) && wrong[j+1]-wrong[j] <= gap {
			j++
		}
		out = append(out, fmt.Sprintf("%v+%v (%d)", wrong[i].Round(time.Millisecond),
			(wrong[j]-wrong[i]).Round(time.Millisecond), j-i+1))
		i = j + 1
	}
	return out
}
