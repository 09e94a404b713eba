package controller

import (
	"context"
	"errors"
	"time"

	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// process brings the tracker up to date with a batch of keys and writes the result to NB in one
// transaction: the whole state when policies changed or NB may have drifted, else the member moves.
func (c *Controller) process(ctx context.Context, batch map[Key]time.Time) error {
	start := time.Now()
	for k := range batch {
		c.apply(k)
	}
	wctx, cancel := context.WithTimeout(ctx, c.cfg.WriteTimeout)
	defer cancel()
	mode := "delta"
	var stats nbsync.Stats
	var err error
	if c.tracker.Stale() || c.dirty() {
		mode = "full"
		if c.tracker.Stale() {
			c.tracker.Translate()
			c.statusDue = true
		}
		c.tracker.TakeDelta() // the whole state is written below
		c.clearDirty()
		stats, err = nbsync.Sync(wctx, c.cfg.NB, c.tracker.State())
	} else {
		stats, err = nbsync.ApplyDelta(wctx, c.cfg.NB, c.tracker.TakeDelta())
	}
	if err != nil {
		c.markDirty() // what was written is unknown: the retry writes the whole state
		if errors.Is(err, nbsync.ErrRowMissing) {
			klog.InfoS("a row tieracl owns is missing from NB; writing the whole state", "err", err)
		}
		return err
	}
	done := time.Now()
	c.cfg.Metrics.observeWrite(mode, stats, done.Sub(start), stats.Commit)
	for _, seen := range batch {
		c.cfg.Metrics.EventToCommit.Observe(done.Sub(seen).Seconds())
	}
	if c.statusDue {
		c.cfg.Metrics.setRows(c.tracker.State())
		c.statusDue = !c.status.update(ctx, c.tracker.Result().Policies)
	}
	if c.cfg.NB.Connected() {
		c.setReady()
	}
	klog.V(4).InfoS("batch written", "mode", mode, "keys", len(batch), "ops", stats.Ops, "took", done.Sub(start))
	return nil
}

// apply feeds the current state of one changed object, read from its informer, to the tracker.
func (c *Controller) apply(k Key) {
	inf, t := c.informers, c.tracker
	switch k.Kind {
	case KindResync:
		c.markDirty()
	case KindPort:
		t.PortAppeared(k.Name)
	case KindNamespace:
		setOrDelete(inf.namespaces, k, t.SetNamespace, func() { t.DeleteNamespace(k.Name) })
	case KindPod:
		setOrDelete(inf.pods, k, t.SetPod, func() { t.DeletePod(k.Namespace, k.Name) })
	case KindNode:
		setOrDelete(inf.nodes, k, t.SetNode, func() { t.DeleteNode(k.Name) })
	case KindNetworkPolicy:
		setOrDelete(inf.netpols, k, t.SetNetworkPolicy, func() { t.DeleteNetworkPolicy(k.Namespace, k.Name) })
	case KindANP:
		setOrDelete(inf.anps, k, t.SetANP, func() { t.DeleteANP(k.Name) })
	case KindBANP:
		setOrDelete(inf.banps, k, t.SetBANP, func() { t.DeleteBANP(k.Name) })
	case KindCNP:
		setOrDelete(inf.cnps, k, t.SetCNP, func() { t.DeleteCNP(k.Name) })
	}
}

// setOrDelete passes the object to set when the informer holds it, else calls del.
func setOrDelete[T any](inf cacheHolder, k Key, set func(T), del func()) {
	if obj, ok := get[T](inf, k); ok {
		set(obj)
	} else {
		del()
	}
}

// cacheHolder is a watched cache or an informer.
type cacheHolder interface{ GetStore() cache.Store }

// get reads an object from an informer's cache; ok is false when it is gone.
func get[T any](inf cacheHolder, k Key) (T, bool) {
	var zero T
	if w, ok := inf.(*watched); inf == nil || ok && w == nil {
		return zero, false // the kind is not served, so not watched
	}
	key := k.Name
	if k.Namespace != "" {
		key = k.Namespace + "/" + k.Name
	}
	obj, exists, err := inf.GetStore().GetByKey(key)
	if err != nil || !exists {
		return zero, false
	}
	t, ok := obj.(T)
	return t, ok
}

func (c *Controller) dirty() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nbDirty
}

func (c *Controller) markDirty() {
	c.mu.Lock()
	c.nbDirty = true
	c.mu.Unlock()
}

func (c *Controller) clearDirty() {
	c.mu.Lock()
	c.nbDirty = false
	c.mu.Unlock()
}
