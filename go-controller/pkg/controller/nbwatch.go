package controller

import (
	"context"
	"fmt"
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

// nbHealth is what one echo found out about the NB connection.
type nbHealth int

const (
	nbAnswers nbHealth = iota
	nbSlow             // connected, but the echo did not come back in time: NB or this client is busy
	nbLost             // not connected, or the connection failed
)

// watchNB follows the NB connection: while NB does not answer the controller is not ready. When
// libovsdb has reconnected (and refilled its cache) the whole state is written again, as NB may have
// changed or been restored from an older copy meanwhile. An echo that is only late is no such loss:
// the connection, and with it the stream of updates, went on, so the controller knows what NB holds.
// Taking it for one cost a whole-state write each time NB was slow, which under load made NB slower.
func (c *Controller) watchNB(ctx context.Context) {
	up, lost := true, false
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := c.nbHealth(ctx)
		if ctx.Err() != nil {
			return
		}
		c.cfg.Metrics.NBConnected.Set(boolGauge(now != nbLost))
		switch {
		case now == nbLost && !lost:
			klog.InfoS("NB connection lost; reconnecting")
			c.setNBUp(false, fmt.Errorf("NB is not connected"))
			c.markDirty()
			lost = true
		case now == nbSlow && up:
			klog.InfoS("NB does not answer; not ready until it does", "waited", c.cfg.EchoTimeout)
			c.setNBUp(false, fmt.Errorf("NB did not answer an echo within %s", c.cfg.EchoTimeout))
		case now == nbAnswers && lost:
			klog.InfoS("NB connection back; writing the whole state")
			c.setNBUp(true, nil)
			c.queue.add(Key{Kind: KindResync})
			lost = false
		case now == nbAnswers && !up:
			klog.InfoS("NB answers again")
			c.setNBUp(true, nil)
			c.queue.add(Key{Kind: KindNBAnswers}) // a batch, to write what is due and be ready again
		}
		up = now == nbAnswers
	}
}

// nbHealth asks NB for an echo. Connected alone is not enough: libovsdb (v0.8.1) keeps reporting
// connected while it reconnects after the server closed the connection (ovn-kubernetes/libovsdb#497);
// an echo then fails at once rather than late.
func (c *Controller) nbHealth(ctx context.Context) nbHealth {
	if !c.cfg.NB.Connected() {
		return nbLost
	}
	ectx, cancel := context.WithTimeout(ctx, c.cfg.EchoTimeout)
	defer cancel()
	switch err := c.cfg.NB.Echo(ectx); {
	case err == nil:
		return nbAnswers
	case ectx.Err() != nil && c.cfg.NB.Connected():
		return nbSlow // libovsdb's Echo hides the deadline behind "incorrect server response"
	default:
		return nbLost
	}
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
