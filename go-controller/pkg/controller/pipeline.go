package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// The worker pipelines member moves: it plans and sends the next batch's transaction while the ones
// before it are still in flight, so NB is not idle while the controller works off a reply, and events
// do not wait for a whole round trip before their batch starts. A member move is an OVSDB mutate that
// inserts or deletes set elements; two such transactions that move no member of the same row in common
// commute, so each is right whichever NB applies first, and each is planned against the state the
// writes before it leave, whether or not they have landed yet. What cannot go behind the writes in
// flight waits in the tracker until they are finished: a batch that moves a member one of them moves,
// and every whole-state write. A failed write makes every later one count as failed too: the keys of
// them all are queued again and the next write is the whole state, planned from what NB holds.

// Defaults of Config.MaxBatch and Config.MaxInFlight.
const (
	defaultMaxBatch    = 500
	defaultMaxInFlight = 2
)

// write is one NB transaction the worker has sent and not finished yet.
type write struct {
	mode   string // full or delta
	gen    uint64 // setWrites' number of the write
	batch  map[Key]time.Time
	start  time.Time
	ports  []string                   // logical ports whose gap may have changed
	moves  map[string]map[string]bool // row -> the members this write moves; nil for a whole-state write
	cancel context.CancelFunc
	done   chan writeResult // receives the one result
}

type writeResult struct {
	stats nbsync.Stats
	err   error
}

// startWrite sends a write off the worker; its result arrives on w.done.
func (c *Controller) startWrite(ctx context.Context, w *write, do func(context.Context) (nbsync.Stats, error)) {
	// WriteTimeout bounds each NB request of the write, not the write: a big full sync may need longer.
	wctx, cancel := context.WithCancel(nbsync.WithTransactionTimeout(ctx, c.cfg.WriteTimeout))
	w.cancel, w.done = cancel, make(chan writeResult, 1)
	c.inflight = append(c.inflight, w)
	go func() {
		stats, err := do(wctx)
		w.done <- writeResult{stats, err}
	}()
}

// movesOf lists the members a delta moves, by row (port groups and address sets have distinct names).
func movesOf(d *nbrows.Delta) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, t := range []map[string]*nbrows.Change{d.AddressSets, d.PortGroups} {
		for row, ch := range t {
			if ch.Empty() {
				continue
			}
			m := make(map[string]bool, len(ch.Add)+len(ch.Remove))
			for k := range ch.Add {
				m[k] = true
			}
			for k := range ch.Remove {
				m[k] = true
			}
			out[row] = m
		}
	}
	return out
}

// commutes reports whether a write moving these members may go behind every write in flight.
func (c *Controller) commutes(moves map[string]map[string]bool) bool {
	for _, w := range c.inflight {
		if w.moves == nil {
			return false
		}
		for row, members := range moves {
			theirs := w.moves[row]
			if len(theirs) == 0 {
				continue
			}
			for m := range members {
				if theirs[m] {
					return false
				}
			}
		}
	}
	return true
}

// unsettled are the members of a row that writes in flight move, or the tracker's moves not sent yet:
// NB's cache may show them either way.
func (c *Controller) unsettled(row string) map[string]bool {
	var out map[string]bool
	add := func(m string) {
		if out == nil {
			out = map[string]bool{}
		}
		out[m] = true
	}
	for _, w := range c.inflight {
		for m := range w.moves[row] {
			add(m)
		}
	}
	p := c.tracker.Pending()
	for _, ch := range []*nbrows.Change{p.PortGroups[row], p.AddressSets[row]} {
		if ch != nil {
			for m := range ch.Add {
				add(m)
			}
			for m := range ch.Remove {
				add(m)
			}
		}
	}
	return out
}

// mustWait reports whether the next batch has to wait for writes in flight: there are as many as may
// be, a batch is held back until they are all finished, or one is a whole-state write (the next batch
// checks the rows it wrote).
func (c *Controller) mustWait() bool {
	n := len(c.inflight)
	return n >= c.cfg.MaxInFlight || n > 0 && (c.held != nil || c.inflight[n-1].moves == nil)
}

// hold keeps a batch's changes in the tracker, unsent, until the writes in flight are finished; its
// keys join the next batch so that their times are kept.
func (c *Controller) hold(batch map[Key]time.Time) {
	if c.held == nil {
		c.held = map[Key]time.Time{}
	}
	for k, seen := range batch {
		if was, ok := c.held[k]; !ok || seen.Before(was) {
			c.held[k] = seen
		}
	}
}

// oldestDone is the channel of the oldest write in flight, nil when none is.
func (c *Controller) oldestDone() <-chan writeResult {
	if len(c.inflight) == 0 {
		return nil
	}
	return c.inflight[0].done
}

// finishOldest takes the oldest write's result r and finishes it. A failed write, and every write after
// it, is given up and its keys queued again; only the failure itself is returned.
func (c *Controller) finishOldest(ctx context.Context, r writeResult) error {
	w := c.inflight[0]
	c.inflight[0] = nil
	c.inflight = c.inflight[1:]
	w.cancel()
	c.setWrites.finished(w.gen)
	if r.err == nil && c.pipeFailed != nil {
		r.err = c.pipeFailed // NB may hold this write without the one that failed before it
	}
	if r.err != nil {
		c.markDirty() // what NB holds is unknown: the retry writes the whole state
		c.queue.requeue(w.batch)
		c.cfg.Metrics.observeFailedWrite(r.stats)
		if r.stats.Unconfirmed > 0 {
			klog.InfoS("NB did not answer a transaction, which it may still commit; the next whole-state write "+
				"reads NB and settles it", "ops", r.stats.Unconfirmed, "mode", w.mode)
		}
		first := c.pipeFailed == nil
		if first {
			c.pipeFailed = r.err
		}
		if len(c.inflight) == 0 {
			c.pipeFailed = nil
		}
		if !first {
			return nil // given up with the failed one, which is the error to report
		}
		c.cfg.Metrics.Errors.WithLabelValues("nb-write").Inc()
		c.setNotReady(fmt.Errorf("last NB write failed: %w", r.err))
		if errors.Is(r.err, nbsync.ErrRowMissing) {
			klog.InfoS("a row tieracl owns is missing from NB; writing the whole state", "err", r.err)
		}
		return r.err
	}
	c.committed(ctx, w, r.stats)
	return nil
}

// finishAll waits for every write in flight and finishes it; the first error is returned.
func (c *Controller) finishAll(ctx context.Context) error {
	var first error
	for len(c.inflight) > 0 {
		if err := c.finishOldest(ctx, <-c.inflight[0].done); err != nil && first == nil {
			first = err
		}
	}
	return first
}
