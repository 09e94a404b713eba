package controller

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

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
	inf := c.informers
	switch k.Kind {
	case KindResync:
		c.markDirty()
	case KindPort:
		c.tracker.PortAppeared(k.Name)
	case KindNamespace:
		if ns, ok := get[*corev1.Namespace](inf.namespaces, k); ok {
			c.tracker.SetNamespace(ns)
		} else {
			c.tracker.DeleteNamespace(k.Name)
		}
	case KindPod:
		if p, ok := get[*corev1.Pod](inf.pods, k); ok {
			c.tracker.SetPod(p)
		} else {
			c.tracker.DeletePod(k.Namespace, k.Name)
		}
	case KindNode:
		if n, ok := get[*corev1.Node](inf.nodes, k); ok {
			c.tracker.SetNode(n)
		} else {
			c.tracker.DeleteNode(k.Name)
		}
	case KindNetworkPolicy:
		if np, ok := get[*networkingv1.NetworkPolicy](inf.netpols, k); ok {
			c.tracker.SetNetworkPolicy(np)
		} else {
			c.tracker.DeleteNetworkPolicy(k.Namespace, k.Name)
		}
	case KindANP:
		if a, ok := get[*anpv1alpha1.AdminNetworkPolicy](inf.anps, k); ok {
			c.tracker.SetANP(a)
		} else {
			c.tracker.DeleteANP(k.Name)
		}
	case KindBANP:
		if b, ok := get[*anpv1alpha1.BaselineAdminNetworkPolicy](inf.banps, k); ok {
			c.tracker.SetBANP(b)
		} else {
			c.tracker.DeleteBANP(k.Name)
		}
	}
}

// get reads an object from an informer's cache; ok is false when it is gone.
func get[T any](inf cache.SharedIndexInformer, k Key) (T, bool) {
	var zero T
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
