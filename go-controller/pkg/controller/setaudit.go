package controller

import (
	"context"
	"sync/atomic"
	"time"

	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/incremental"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// setAuditInterval is how often a run of the address sets and one of the port groups tieracl owns are
// compared with NB. The cache monitors sets without their addresses and groups without their ports (a
// pod event would cost O(set size) there), so a member someone else removes or adds is seen only this
// way.
const setAuditInterval = 100 * time.Millisecond

// setAuditRun bounds the addresses one audit sends (its sets in name order, at least one): NB runs the
// comparison between transactions, and one of every set would hold back the member moves behind it
// (on w1, 239,460 addresses cost NB tens of ms every read). The runs walk all sets in turn.
const setAuditRun = 16384

// groupAuditRun bounds the ports one audit sends (its port groups in name order, at least one), as
// setAuditRun the addresses: a port is sent as its UUID, some four times the bytes of an address.
const groupAuditRun = setAuditRun / 4

// setAuditShare bounds the audit's cost as sets grow: the next audit starts no sooner than this many
// times the last read's duration after it (a read of 16,384 addresses takes a few ms).
const setAuditShare = 10

// setWrites numbers tieracl's writes so that an audit can tell which sets and groups its read may have
// caught in the middle of one. gen is bumped by the worker before each write is sent, done after it and
// every write before it have returned (writes are finished in the order they were sent); the auditor
// reads them; the rest is the worker's.
type setWrites struct {
	gen      atomic.Uint64
	done     atomic.Uint64     // every write up to this one has returned
	fullGen  uint64            // the last whole-state write
	setGen   map[string]uint64 // the last member write to each set or port group (their names differ)
	audits   chan setAudit
	audited  string // the last set the last audit compared; the next starts after it
	groupsAt string // the last port group the last audit compared; the next starts after it
	auditing atomic.Bool
	next     atomic.Int64 // UnixNano before which no audit starts
}

// setAudit is NB's addresses of the owned sets, and ports of the owned groups, that differed from the
// tracker's members, compared after all writes before gen had returned: rows written by write gen or
// later are not judged by it.
type setAudit struct {
	gen    uint64
	sets   []*nbdb.AddressSet
	groups []*nbdb.PortGroup
}

// wrote records a write before it is sent, the whole state or the member moves of d, and returns its
// number.
func (w *setWrites) wrote(full bool, d *nbrows.Delta) uint64 {
	g := w.gen.Add(1)
	if full {
		w.fullGen = g
		return g
	}
	for _, t := range []map[string]*nbrows.Change{d.AddressSets, d.PortGroups} {
		for name := range t {
			w.setGen[name] = g
		}
	}
	return g
}

// finished records that write gen, the oldest in flight, returned (committed or failed).
func (w *setWrites) finished(gen uint64) { w.done.Store(gen) }

// auditSets has NB compare the next run of the owned sets' addresses, and the next of the owned groups'
// ports, with the tracker's members, off the worker, and hands those that differ, read whole, to it. It
// runs on the worker, between batches: the members it compares with are those written. While a
// whole-state write is out there is no audit: that write has NB compare every set and group itself,
// and an audit beside it would double NB's work for a result checkAudit throws away.
func (c *Controller) auditSets(ctx context.Context) {
	w := &c.setWrites
	if time.Now().UnixNano() < w.next.Load() || c.tracker.Stale() || c.tracker.Result() == nil ||
		w.fullGen > w.done.Load() || !w.auditing.CompareAndSwap(false, true) {
		return // the last audit is still being read or checked, or was costly, or nothing is written yet
	}
	sets := c.tracker.AddressSetsAfter(w.audited, setAuditRun)
	groups := c.tracker.PortGroupsAfter(w.groupsAt, groupAuditRun)
	if len(sets) == 0 && len(groups) == 0 {
		w.auditing.Store(false)
		return
	}
	if len(sets) > 0 {
		w.audited = sets[len(sets)-1].Name
	}
	if len(groups) > 0 {
		w.groupsAt = groups[len(groups)-1].Name
	}
	gen := w.done.Load() + 1 // every write before it has returned, so is in what NB compares
	go func() {
		start := time.Now()
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		a, err := c.compareMembers(actx, sets, groups)
		w.next.Store(time.Now().Add(setAuditShare * time.Since(start)).UnixNano())
		if err != nil {
			klog.V(2).InfoS("cannot compare the members of address sets and port groups in NB", "err", err)
			w.auditing.Store(false)
			return
		}
		a.gen = gen
		select {
		case w.audits <- a:
		case <-ctx.Done():
		}
	}()
}

// compareMembers has NB compare the sets and the groups (either may be none) and returns those that differ.
func (c *Controller) compareMembers(ctx context.Context, sets []nbrows.AddressSet, groups []nbrows.PortGroup,
) (setAudit, error) {
	var a setAudit
	var err error
	if len(sets) > 0 {
		if a.sets, err = c.cfg.NB.DifferingAddressSets(ctx, sets); err != nil {
			return a, err
		}
	}
	if len(groups) > 0 {
		a.groups, err = c.cfg.NB.DifferingPortGroups(ctx, groups, c.portNames.uuidOf)
	}
	return a, err
}

// checkAudit runs on the worker between batches, when every change in the tracker has been sent: it
// compares the audited sets and groups with the tracker's members and returns the drift keys of those
// that differ. Rows written since the read began, or by writes still in flight, are left to the next
// audit.
func (c *Controller) checkAudit(ctx context.Context, a setAudit) []Key {
	w := &c.setWrites
	defer w.auditing.Store(false)
	if w.fullGen >= a.gen || c.held != nil || c.tracker.Stale() || c.dirty() || c.tracker.Result() == nil {
		return nil
	}
	d := c.desiredRows()
	var out []Key // a set that is not desired at all is the cache's drift check's to see
	for _, s := range a.sets {
		if _, ok := d.sets[s.Name]; ok && w.setGen[s.Name] < a.gen && !sameMembers(s.Addresses, c.tracker.Members(s.Name)) {
			out = append(out, Key{Kind: KindDrift, Namespace: nbdb.AddressSetTable, Name: s.Name})
		}
	}
	for _, g := range a.groups {
		if _, ok := d.groups[g.Name]; ok && w.setGen[g.Name] < a.gen && !c.portsMatch(ctx, g.Name, g.Ports) {
			out = append(out, Key{Kind: KindDrift, Namespace: nbdb.PortGroupTable, Name: g.Name})
		}
	}
	return out
}

// sameMembers says whether NB's addresses of a set are the tracker's members of it (which include the
// member moves written since the last translation).
func sameMembers(have []string, want *incremental.Members) bool {
	if len(have) != want.Len() {
		return false
	}
	for _, a := range have {
		if !want.Has(a) {
			return false
		}
	}
	return true
}
