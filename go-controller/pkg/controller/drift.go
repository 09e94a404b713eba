package controller

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/model"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// KindDrift names a row tieracl owns that changed in NB (Namespace: the table, Name: the row's name):
// the worker compares it with the desired row and repairs NB when they differ.
const KindDrift Kind = "Drift"

// watchOwnedRows queues every change NB reports to an ACL, port group, address set or log meter that tieracl owns
// (before or after the change). tieracl's own writes come back this way too; the worker tells them apart
// by comparing the row with what it wrote. Port groups are monitored without their ports and address
// sets without their addresses, so a foreign edit of members is seen by the audit (setaudit.go).
func (c *Controller) watchOwnedRows() {
	queue := func(table string, m model.Model) {
		var name string
		var ids map[string]string
		switch r := m.(type) {
		case *nbdb.ACL:
			name, ids = deref(r.Name), r.ExternalIDs
		case *nbdb.PortGroup:
			name, ids = r.Name, r.ExternalIDs
		case *nbdb.AddressSet:
			name, ids = r.Name, r.ExternalIDs
		case *nbdb.Meter:
			name, ids = r.Name, r.ExternalIDs
		case *nbdb.MeterBand: // a band carries its meter's external IDs; a change to it is the meter's
			table, name, ids = nbdb.MeterTable, r.ExternalIDs[nbrows.KeyOwnerName], r.ExternalIDs
		default:
			return
		}
		if ids[nbrows.KeyManagedBy] == nbrows.ManagedByValue {
			c.queue.add(Key{Kind: KindDrift, Namespace: table, Name: name})
		}
	}
	c.cfg.NB.Cache().AddEventHandler(&cache.EventHandlerFuncs{
		AddFunc:    queue,
		DeleteFunc: queue,
		UpdateFunc: func(table string, old, now model.Model) { queue(table, old); queue(table, now) },
	})
}

// drifted compares the rows named by the batch's drift keys with the desired state as last written and
// returns the tables and names of those that differ. It must run before the batch changes the tracker.
func (c *Controller) drifted(ctx context.Context, batch map[Key]time.Time) []Key {
	var keys []Key
	for k := range batch {
		if k.Kind == KindDrift {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 || c.tracker.Stale() || c.dirty() || c.tracker.Result() == nil {
		return nil // a whole-state write is due anyway
	}
	d := c.desiredRows()
	var aclsByName map[string][]*nbdb.ACL
	var out []Key
	for _, k := range keys {
		ok := true
		switch k.Namespace {
		case nbdb.ACLTable:
			if aclsByName == nil {
				aclsByName = c.ownedACLsByName()
			}
			have := aclsByName[k.Name]
			want, desired := d.acls[k.Name]
			ok = (!desired && len(have) == 0) || (desired && len(have) == 1 && nbsync.ACLMatches(have[0], want))
		case nbdb.PortGroupTable:
			ok = c.portGroupMatches(k.Name, d)
		case nbdb.MeterTable:
			want, desired := d.meters[k.Name]
			if !desired {
				ok = nbsync.MeterMatches(c.cfg.NB.Cache(), k.Name, nil)
			} else {
				ok = nbsync.MeterMatches(c.cfg.NB.Cache(), k.Name, &want)
			}
		case nbdb.AddressSetTable:
			have, found := cached(c.cfg.NB, nbdb.AddressSetTable, &nbdb.AddressSet{Name: k.Name})
			want, desired := d.sets[k.Name]
			ok = (!desired && !found) || (desired && found && maps.Equal(have.ExternalIDs, want.ExternalIDs))
		}
		if !ok {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, cmpKey)
	return out
}

// desired indexes the last translation's rows by name.
type desired struct {
	acls      map[string]nbrows.ACL
	groupACLs map[string][]string // port group -> names of its ACLs
	groups    map[string]nbrows.PortGroup
	sets      map[string]nbrows.AddressSet
	meters    map[string]nbrows.Meter
}

func (c *Controller) desiredRows() *desired {
	if c.desired != nil {
		return c.desired
	}
	s := &c.tracker.Result().State
	d := &desired{acls: map[string]nbrows.ACL{}, groupACLs: map[string][]string{},
		groups: map[string]nbrows.PortGroup{}, sets: map[string]nbrows.AddressSet{}, meters: map[string]nbrows.Meter{}}
	for _, a := range s.ACLs {
		d.acls[a.Name] = a
		d.groupACLs[a.PortGroup] = append(d.groupACLs[a.PortGroup], a.Name)
	}
	for _, pg := range s.PortGroups {
		d.groups[pg.Name] = pg
	}
	for _, as := range s.AddressSets {
		d.sets[as.Name] = as
	}
	for _, m := range s.Meters {
		d.meters[m.Name] = m
	}
	c.desired = d
	return d
}

func (c *Controller) ownedACLsByName() map[string][]*nbdb.ACL {
	out := map[string][]*nbdb.ACL{}
	if t := c.cfg.NB.Cache().Table(nbdb.ACLTable); t != nil {
		for _, m := range t.RowsShallow() {
			if a := m.(*nbdb.ACL); a.ExternalIDs[nbrows.KeyManagedBy] == nbrows.ManagedByValue {
				out[deref(a.Name)] = append(out[deref(a.Name)], a)
			}
		}
	}
	return out
}

// portGroupMatches compares a port group's external IDs and ACLs with the desired ones. The cache holds
// no ports (nbsync.Monitor): the audit compares those (checkAudit, portsMatch).
func (c *Controller) portGroupMatches(name string, d *desired) bool {
	want, desired := d.groups[name]
	have, found := cached(c.cfg.NB, nbdb.PortGroupTable, &nbdb.PortGroup{Name: name})
	if !found {
		return !desired
	}
	if !desired || !maps.Equal(have.ExternalIDs, want.ExternalIDs) {
		return false
	}
	var haveACLs []string
	for _, uuid := range have.ACLs {
		if name, ok := c.nameOf(c.aclNames, uuid); ok {
			haveACLs = append(haveACLs, name)
		}
	}
	slices.Sort(haveACLs)
	wantACLs := slices.Sorted(slices.Values(d.groupACLs[name]))
	return slices.Equal(haveACLs, wantACLs)
}

// portsMatch says whether ports, the UUIDs NB's port group lists, are the tracker's members of it that
// NB has a logical switch port for. Members that writes in flight or not yet sent move are judged when
// those are done; so are a port the cache does not hold yet (or no longer) and a member whose port
// appeared in NB while the worker has not yet handled that (its key is queued: the group gets it next).
func (c *Controller) portsMatch(ctx context.Context, name string, ports []string) bool {
	members, unsettled := c.tracker.Members(name), c.unsettled(name)
	inNB := make(map[string]bool, len(ports))
	for _, uuid := range ports {
		port, ok := c.nameOf(c.portNames, uuid)
		if !ok {
			return true
		}
		if !unsettled[port] && !members.Has(port) {
			return false
		}
		inNB[port] = true
	}
	for port := range members.All() {
		if !inNB[port] && !unsettled[port] && c.nbHasPort(ctx, port) && !c.queue.has(Key{Kind: KindPort, Name: port}) {
			return false
		}
	}
	return true
}

// reportDrift counts and logs rows others changed; the whole-state write that follows repairs them.
func (c *Controller) reportDrift(rows []Key) {
	for _, k := range rows {
		c.cfg.Metrics.DriftRepaired.WithLabelValues(k.Namespace).Inc()
	}
	names := make([]string, 0, len(rows))
	for _, k := range rows[:min(len(rows), 5)] {
		names = append(names, k.Namespace+" "+k.Name)
	}
	klog.Warningf("%d rows tieracl owns were changed in NB by someone else; repairing them: %v", len(rows), names)
}

func cmpKey(a, b Key) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
