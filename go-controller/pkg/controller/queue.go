package controller

import (
	"sync"
	"time"
)

// Kind is what a queue key names.
type Kind string

// The kinds of queue key: one per watched Kubernetes kind, named as the API names it, and three that name no
// object but an event of NB.
const (
	KindNamespace     Kind = "Namespace"
	KindPod           Kind = "Pod"
	KindNode          Kind = "Node"
	KindNetworkPolicy Kind = "NetworkPolicy"
	KindANP           Kind = "AdminNetworkPolicy"
	KindBANP          Kind = "BaselineAdminNetworkPolicy"
	KindCNP           Kind = "ClusterNetworkPolicy"
	KindPort          Kind = "LogicalSwitchPort" // a port appeared in NB
	KindResync        Kind = "Resync"            // write the whole desired state (start, reconnect, repair)
	KindNBAnswers     Kind = "NBAnswers"         // NB answers again on the same connection: write what is due
)

// Key names one object that changed. The worker reads its current state from the informer's cache, so
// many events on one object coalesce into one key.
type Key struct {
	Kind      Kind
	Namespace string
	Name      string
}

// queue is a set of changed keys with the time each was first seen. The worker takes them oldest first
// in batches of a bounded size: a burst of events becomes one batch and one NB transaction, and a
// backlog becomes a stream of bounded transactions rather than one that takes ever longer.
type queue struct {
	mu      sync.Mutex
	pending map[Key]time.Time
	order   []Key         // pending's keys, oldest first
	ready   chan struct{} // has a value while pending is not empty
}

func newQueue() *queue {
	return &queue{pending: map[Key]time.Time{}, ready: make(chan struct{}, 1)}
}

func (q *queue) add(k Key) {
	q.mu.Lock()
	q.put(k, time.Now())
	q.mu.Unlock()
	q.signal()
}

// requeue puts back the keys of a batch that did not reach NB, with the times they were first seen.
func (q *queue) requeue(batch map[Key]time.Time) {
	if len(batch) == 0 {
		return
	}
	q.mu.Lock()
	for k, seen := range batch {
		q.put(k, seen)
	}
	q.mu.Unlock()
	q.signal()
}

// put queues k as first seen at seen, or keeps the earlier time when it is queued already; q.mu is held.
func (q *queue) put(k Key, seen time.Time) {
	if was, ok := q.pending[k]; ok {
		if seen.Before(was) {
			q.pending[k] = seen
		}
		return
	}
	q.pending[k] = seen
	q.order = append(q.order, k)
}

func (q *queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take removes and returns the oldest max pending keys (all of them when max <= 0).
func (q *queue) take(max int) map[Key]time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := len(q.order)
	if max > 0 && n > max {
		n = max
	}
	batch := make(map[Key]time.Time, n)
	for _, k := range q.order[:n] {
		batch[k] = q.pending[k]
		delete(q.pending, k)
	}
	q.order = append([]Key(nil), q.order[n:]...)
	if len(q.order) > 0 {
		q.signal() // the rest is the next batch
	}
	return batch
}

// has reports whether k is queued.
func (q *queue) has(k Key) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, ok := q.pending[k]
	return ok
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}
