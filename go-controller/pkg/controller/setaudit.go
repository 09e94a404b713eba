package controller

import (
	"context"
	"time"

	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// setAuditInterval is how often the worker reads the addresses of the sets tieracl owns from NB. The
// cache monitors address sets without their addresses (a pod event would cost O(set size) there), so a
// member someone else removes is seen only this way.
const setAuditInterval = 500 * time.Millisecond

// auditSetMembers compares the addresses of the address sets tieracl owns in NB with the desired ones and
// returns the drift keys of those that differ. It runs on the worker between batches, after every write
// of its own has committed, so an own write in flight cannot look like drift.
func (c *Controller) auditSetMembers(ctx context.Context) []Key {
	if c.tracker.Stale() || c.dirty() || c.tracker.Result() == nil || !c.cfg.NB.Connected() {
		return nil // a whole-state write is due anyway
	}
	actx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	have, err := nbsync.ReadAddressSets(actx, c.cfg.NB, true)
	if err != nil {
		klog.V(2).InfoS("cannot read the address sets' members from NB", "err", err)
		return nil
	}
	d := c.desiredRows()
	var out []Key // a set that is not desired at all is the cache's drift check's to see
	for _, s := range have {
		if _, ok := d.sets[s.Name]; ok && !sameMembers(s.Addresses, c.tracker.Members(s.Name)) {
			out = append(out, Key{Kind: KindDrift, Namespace: nbdb.AddressSetTable, Name: s.Name})
		}
	}
	return out
}

// sameMembers says whether NB's addresses of a set are the tracker's members of it (which include the
// member moves written since the last translation).
func sameMembers(have []string, want map[string]bool) bool {
	if len(have) != len(want) {
		return false
	}
	for _, a := range have {
		if !want[a] {
			return false
		}
	}
	return true
}
