package controller

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// Start starts the informers and queues the first whole-state write, without the worker loop or the NB
// watcher: the test drives the worker with Step, one batch at a time.
func (c *Controller) Start(ctx context.Context) error { return c.start(ctx) }

// Step works off every queued key as one batch, as the worker loop does after each wake-up.
func (c *Controller) Step(ctx context.Context) error { return c.runBatch(ctx) }

// Queued returns the keys waiting for the next batch, sorted.
func (c *Controller) Queued() []Key {
	c.queue.mu.Lock()
	defer c.queue.mu.Unlock()
	keys := make([]Key, 0, len(c.queue.pending))
	for k := range c.queue.pending {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b Key) int {
		return cmpKey(Key{Namespace: string(a.Kind) + a.Namespace, Name: a.Name},
			Key{Namespace: string(b.Kind) + b.Namespace, Name: b.Name})
	})
	return keys
}

// WaitQueued blocks until cond holds, checking it again each time a key is queued (every informer event
// queues one), so a test waits for an event without polling. Only for a controller that Step drives.
func (c *Controller) WaitQueued(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-c.queue.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// CachedPod is the pod as the controller's informer holds it.
func (c *Controller) CachedPod(namespace, name string) (*corev1.Pod, bool) {
	return get[*corev1.Pod](c.informers.pods, Key{Kind: KindPod, Namespace: namespace, Name: name})
}

// Resync queues a whole-state write, as the periodic resync does.
func (c *Controller) Resync() { c.queue.add(Key{Kind: KindResync}) }
