package controller

import (
	"context"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
)

// Start starts the informers and queues the first whole-state write, without the worker loop or the NB
// watcher: the test drives the worker with Step, one batch at a time.
func (c *Controller) Start(ctx context.Context) error { return c.start(ctx) }

// Step works off the queued keys as one batch, as the worker loop does after each wake-up, and waits
// until every write in flight is finished; it returns the first failure.
func (c *Controller) Step(ctx context.Context) error {
	c.runBatch(ctx)
	return c.finishAll(ctx)
}

// Send works off the queued keys as one batch without waiting for its write, unless the worker loop
// would wait first (MustWait).
func (c *Controller) Send(ctx context.Context) {
	if !c.mustWait() {
		c.runBatch(ctx)
	}
}

// FinishOldest waits for the oldest write in flight and finishes it, as the worker loop does.
func (c *Controller) FinishOldest(ctx context.Context) error {
	return c.finishOldest(ctx, <-c.oldestDone())
}

// InFlight is the number of writes sent and not finished; Held says whether a batch waits for them.
func (c *Controller) InFlight() int { return len(c.inflight) }
func (c *Controller) Held() bool    { return c.held != nil }

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

// AuditSets starts a set audit, as the worker loop's audit ticker does.
func (c *Controller) AuditSets(ctx context.Context) { c.auditSets(ctx) }

// Audit runs one audit of the members, as the worker loop's audit ticker does (however soon after the
// last), waits for NB's answer and returns the drift keys the worker finds in it; ok is false when no
// audit went.
func (c *Controller) Audit(ctx context.Context) (keys []Key, ok bool) {
	c.setWrites.next.Store(0)
	c.auditSets(ctx)
	if !c.setWrites.auditing.Load() {
		return nil, false
	}
	select {
	case a := <-c.setWrites.audits:
		return c.checkAudit(ctx, a), true
	case <-ctx.Done():
		return nil, false
	}
}

// QueuePort queues a logical switch port, as the NB watch does when one appears.
func (c *Controller) QueuePort(name string) { c.queue.add(Key{Kind: KindPort, Name: name}) }

// Resync queues a whole-state write, as the periodic resync does.
func (c *Controller) Resync() { c.queue.add(Key{Kind: KindResync}) }

// Start runs the folder's informers and waits for their caches, without its loop: the test folds with
// Step.
func (f *Folder) Start(ctx context.Context) error { return f.start(ctx) }

// Step folds once, as the folder's loop does after each wake-up.
func (f *Folder) Step(ctx context.Context) error { return f.fold(ctx) }

// WaitCached blocks until cond holds, checking it again on every change its informers see (a Lease's
// renewal too), so a test waits for an event without polling.
func (f *Folder) WaitCached(ctx context.Context, cond func() bool) error {
	for !cond() {
		select {
		case <-f.changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Cached is the object of that resource ("configmaps", "leases", or a policy Kind) and name in the
// folder's cache.
func (f *Folder) Cached(resource, name string) (any, bool) {
	inf := map[string]cache.SharedIndexInformer{"configmaps": f.reports, "leases": f.leases}[resource]
	key := name
	if inf == nil {
		inf = f.policies[Kind(resource)]
	} else {
		key = f.cfg.Namespace + "/" + name
	}
	obj, ok, err := inf.GetStore().GetByKey(key)
	return obj, ok && err == nil
}

// NextCheck is when the folder's loop would fold next for want of any change: when a counted zone
// drops out.
func (f *Folder) NextCheck() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.next
}

// SetMaxBatch changes Config.MaxBatch of a controller that Step drives.
func (c *Controller) SetMaxBatch(n int) { c.cfg.MaxBatch = n }
