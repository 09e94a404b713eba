package controller

import (
	"context"
	"time"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/model"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// watchPorts queues every logical switch port that appears in NB, changes or leaves it: a pod's port is
// often created after the pod, and its port groups get it then; its addresses can be the pod's first
// IPs; a port that goes while its pod stays is a gap.
func (c *Controller) watchPorts() {
	queue := func(table string, m model.Model) {
		if lsp, ok := m.(*nbdb.LogicalSwitchPort); ok && table == nbdb.LogicalSwitchPortTable {
			c.queue.add(Key{Kind: KindPort, Name: lsp.Name})
		}
	}
	c.cfg.NB.Cache().AddEventHandler(&cache.EventHandlerFuncs{AddFunc: queue, DeleteFunc: queue,
		UpdateFunc: func(table string, _, now model.Model) { queue(table, now) }})
}

// watchNB follows the NB connection: while it is down the controller is not ready; when libovsdb has
// reconnected (and refilled its cache) the whole state is written again, as NB may have changed or been
// restored from an older copy meanwhile.
func (c *Controller) watchNB(ctx context.Context) {
	connected := true
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := c.nbUp(ctx)
		c.cfg.Metrics.NBConnected.Set(boolGauge(now))
		switch {
		case connected && !now:
			klog.InfoS("NB connection lost; reconnecting")
			c.setNBUp(false)
			c.markDirty()
		case !connected && now:
			klog.InfoS("NB connection back; writing the whole state")
			c.setNBUp(true)
			c.queue.add(Key{Kind: KindResync})
		}
		connected = now
	}
}

// nbUp asks NB for an echo. Connected alone is not enough: libovsdb (v0.8.1) keeps reporting connected
// while it reconnects after the server closed the connection (ovn-kubernetes/libovsdb#497).
func (c *Controller) nbUp(ctx context.Context) bool {
	if !c.cfg.NB.Connected() {
		return false
	}
	ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.cfg.NB.Echo(ectx) == nil
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
