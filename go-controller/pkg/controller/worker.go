package controller

import (
	"context"
	"maps"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// process brings the tracker up to date with a batch of keys and sends the result to NB in one
// transaction: the whole state when policies changed or NB may have drifted, else the member moves
// (pipeline.go: behind the writes in flight when they commute with them). A batch that cannot go yet is
// held in the tracker and goes with the next one; the keys held are not applied again.
func (c *Controller) process(ctx context.Context, batch map[Key]time.Time) {
	start := time.Now()
	if rows := c.drifted(ctx, batch); len(rows) > 0 {
		c.reportDrift(rows)
		c.markDirty() // the whole-state write below repairs them
	}
	for k := range batch {
		c.apply(ctx, k)
	}
	for k, seen := range c.held {
		if was, ok := batch[k]; !ok || seen.Before(was) {
			batch[k] = seen
		}
	}
	c.held = nil
	w := &write{mode: "delta", batch: batch, start: start, ports: c.portsOf(batch)}
	if c.tracker.Stale() || c.dirty() {
		if len(c.inflight) > 0 {
			c.hold(batch) // a whole-state write goes alone
			return
		}
		w.mode = "full"
		if c.tracker.Stale() {
			if c.tracker.Result() == nil {
				c.tracker.SeedShards(c.nbShardCounts())
			}
			c.translate()
		}
		c.tracker.TakeDelta() // the whole state is written below
		c.clearDirty()
		state := c.tracker.State()
		w.gen = c.setWrites.wrote(true, nil)
		for _, pg := range state.PortGroups {
			w.ports = append(w.ports, pg.Ports...)
		}
		for port := range c.gaps.missing {
			w.ports = append(w.ports, port)
		}
		for port := range c.gaps.foreign {
			w.ports = append(w.ports, port)
		}
		c.startWrite(ctx, w, func(ctx context.Context) (nbsync.Stats, error) { return c.cfg.NB.Sync(ctx, state) })
		return
	}
	w.moves = movesOf(c.tracker.Pending())
	if !c.commutes(w.moves) {
		c.hold(batch)
		return
	}
	d := c.tracker.TakeDelta()
	w.gen = c.setWrites.wrote(false, d)
	for _, ch := range d.PortGroups {
		w.ports = append(append(w.ports, slices.Collect(maps.Keys(ch.Add))...), slices.Collect(maps.Keys(ch.Remove))...)
	}
	c.startWrite(ctx, w, func(ctx context.Context) (nbsync.Stats, error) { return c.cfg.NB.ApplyDelta(ctx, d) })
}

// translate translates the tracked cluster and resets what depends on the translation.
func (c *Controller) translate() {
	c.tracker.Translate()
	c.desired = nil
	c.gaps.setOwners(c.tracker.Result().State.PortGroups)
	c.statusDue = true
}

// committed finishes a write NB committed: metrics, gaps, status, readiness.
func (c *Controller) committed(ctx context.Context, w *write, stats nbsync.Stats) {
	done := time.Now()
	c.cfg.Metrics.observeWrite(w.mode, stats, done.Sub(w.start), stats.Commit)
	for _, seen := range w.batch {
		c.cfg.Metrics.EventToCommit.Observe(done.Sub(seen).Seconds())
	}
	c.checkPorts(ctx, w.ports)
	if c.reportGaps() {
		c.statusDue = true
	}
	if c.statusDue {
		c.cfg.Metrics.setRows(c.tracker.State())
		c.statusDue = !c.status.update(ctx, c.tracker.Result().Policies, c.gaps.gapOf)
	}
	if c.cfg.NB.Connected() {
		c.setReady()
	}
	if !c.templateChecked { // only a warning to the operator: Ready does not wait for it
		c.templateChecked = true
		c.checkPortTemplate()
	}
	klog.V(4).InfoS("batch written", "mode", w.mode, "keys", len(w.batch), "ops", stats.Ops, "took", done.Sub(w.start))
}

// portsOf names the logical ports of the pods and the ports in the batch, and of the pods on its nodes
// that changed zones.
func (c *Controller) portsOf(batch map[Key]time.Time) []string {
	var out, nodes []string
	for k := range batch {
		switch k.Kind {
		case KindPod:
			out = append(out, c.portName(k.Namespace, k.Name))
		case KindPort:
			out = append(out, k.Name)
		case KindNode:
			nodes = append(nodes, k.Name)
		}
	}
	return append(out, c.nodesMoved(nodes)...)
}

func (c *Controller) portName(namespace, name string) string {
	if c.cfg.PortName != nil {
		return c.cfg.PortName(namespace, name)
	}
	return cluster.DefaultPortName(namespace, name)
}

// apply feeds the current state of one changed object, read from its informer, to the tracker.
func (c *Controller) apply(ctx context.Context, k Key) {
	inf, t := c.informers, c.tracker
	switch k.Kind {
	case KindResync:
		c.markDirty()
		if c.zoneMode() {
			c.statusDue, c.status.verifyReport = true, true // in case someone deleted or edited the report
		}
	case KindPort:
		t.PortAppeared(k.Name)
		if p := t.PortPod(k.Name); p != nil { // the port's addresses may be the pod's only IPs yet
			c.apply(ctx, Key{Kind: KindPod, Namespace: p.Namespace, Name: p.Name})
		}
	case KindNamespace:
		setOrDelete(inf.namespaces, k, t.SetNamespace, func() { t.DeleteNamespace(k.Name) })
	case KindPod:
		setOrDelete(inf.pods, k, func(p *corev1.Pod) { t.SetPod(c.withPortIPs(ctx, p)) },
			func() { t.DeletePod(k.Namespace, k.Name) })
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
		return zero, false // the kind is not served or not managed, so not watched
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
