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

// queue is a set of changed keys with the time each was first seen, which the worker drains whole:
// a burst of events becomes one batch and one NB transaction.
type queue struct {
	mu      sync.Mutex
	pending map[Key]time.Time
	ready   chan struct{} // has a value while pending is not empty
}

func newQueue() *queue {
	return &queue{pending: map[Key]time.Time{}, ready: make(chan struct{}, 1)}
}

func (q *queue) add(k Key) {
	q.mu.Lock()
	if _, ok := q.pending[k]; !ok {
		q.pending[k] = time.Now()
	}
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// take returns every pending key and empties the queue.
func (q *queue) take() map[Key]time.Time {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.pending
	q.pending = map[Key]time.Time{}
	return batch
}

func (q *queue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}
