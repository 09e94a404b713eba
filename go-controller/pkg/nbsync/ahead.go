package nbsync

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// aheadEntries bounds the addresses, or ports, of one transaction that creates address sets, or port
// groups, ahead of the rest of a whole-state write: a cluster of 100,000 pods has millions of each, and
// one transaction of all of them is encoded, sent, committed and echoed back whole, in memory at once.
const aheadEntries = 200_000

// createAhead creates the new address sets and port groups that no ACL in NB names before the
// transaction that writes the rest of desired (createSetsAhead and createGroupsAhead say why that opens
// no window), and adds them to cur. It returns what it committed.
func createAhead(ctx context.Context, c client.Client, cur *Current, desired *nbrows.State, maxEntries int,
) (Stats, error) {
	named := namedInMatches(cur.ACLs)
	sets, err := createSetsAhead(ctx, c, cur, desired, named, maxEntries)
	if err != nil {
		return sets, err
	}
	groups, err := createGroupsAhead(ctx, c, cur, desired, named, maxEntries)
	return sets.add(groups), err
}

// createSetsAhead creates, before the transaction that writes the rest of desired, the new address sets
// that no ACL in NB names: an address set changes a verdict only through an ACL whose match names it,
// and the ACLs that will name these come in that later transaction, all together. So no state in
// between grants or denies anything the state before did not. A set that an ACL already names (it was
// deleted from under it) waits for the main transaction, as do changes to existing sets. Each
// transaction carries at most maxEntries addresses (or one set). The created sets are added to cur, so
// that the plan that follows leaves them be. named is namedInMatches of cur's ACLs. It returns what it
// committed.
func createSetsAhead(ctx context.Context, c client.Client, cur *Current, desired *nbrows.State,
	named map[string]bool, maxEntries int) (Stats, error) {
	have := make(map[string]bool, len(cur.AddressSets))
	for _, s := range cur.AddressSets {
		have[s.Name] = true
	}
	var done Stats
	var batch []*nbrows.AddressSet
	entries := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		s, err := insertSets(ctx, c, cur, batch, entries)
		done = done.add(s)
		batch, entries = batch[:0], 0
		return err
	}
	for i := range desired.AddressSets {
		d := &desired.AddressSets[i]
		if have[d.Name] || named[d.Name] {
			continue
		}
		if entries > 0 && entries+len(d.Addresses) > maxEntries {
			if err := flush(); err != nil {
				return done, err
			}
		}
		batch = append(batch, d)
		entries += len(d.Addresses)
	}
	return done, flush()
}

// insertSets creates sets in one transaction and adds them to cur with their addresses.
func insertSets(ctx context.Context, c client.Client, cur *Current, sets []*nbrows.AddressSet, entries int,
) (Stats, error) {
	rows := rowOps{c.Cache().DatabaseModel()}
	p := &planner{rows: rows}
	for i, d := range sets {
		p.add(rows.insert(&nbdb.AddressSet{UUID: fmt.Sprintf("newset%d", i), Name: d.Name, Addresses: d.Addresses,
			ExternalIDs: d.ExternalIDs}))
	}
	p.stats = Stats{Ops: len(p.ops), Created: len(sets), AddressesAdded: entries}
	results, stats, err := commit(ctx, c, p.ops, p.stats, p.err)
	if err != nil {
		return stats, err
	}
	for i, d := range sets {
		cur.AddressSets = append(cur.AddressSets, &nbdb.AddressSet{UUID: results[i].UUID.GoUUID, Name: d.Name,
			Addresses: d.Addresses, ExternalIDs: d.ExternalIDs})
	}
	return stats, nil
}

// namedInMatches is the names the ACLs' matches mention: address sets ($name) and port groups (@name,
// or $name_ip4 and $name_ip6, the address sets OVN derives from a port group). Names tieracl gives sets
// and groups hold only letters, digits and underscores.
func namedInMatches(acls []*nbdb.ACL) map[string]bool {
	out := map[string]bool{}
	for _, a := range acls {
		m := a.Match
		for i := 0; i < len(m); i++ {
			if m[i] != '$' && m[i] != '@' {
				continue
			}
			j := i + 1
			for j < len(m) && isNameByte(m[j]) {
				j++
			}
			out[m[i+1:j]] = true
			i = j - 1
		}
	}
	return out
}

func isNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
}

// add sums the stats of two transactions, b after s: the counts of what both committed, b's outcome.
func (s Stats) add(b Stats) Stats {
	out := b
	out.Ops += s.Ops
	out.Unconfirmed += s.Unconfirmed
	out.Commit += s.Commit
	out.Committed = b.Committed || s.Committed
	if !b.Committed { // b's rows are not in NB, or not known to be: count s's alone
		out.Created, out.Updated, out.Deleted, out.Mutations = 0, 0, 0, 0
		out.AddressesAdded, out.AddressesRemoved = 0, 0
	}
	out.Created += s.Created
	out.Updated += s.Updated
	out.Deleted += s.Deleted
	out.Mutations += s.Mutations
	out.AddressesAdded += s.AddressesAdded
	out.AddressesRemoved += s.AddressesRemoved
	return out
}

// createGroupsAhead creates, before the transaction that writes the rest of desired, the new port groups
// that no ACL in NB names, with their ports and without ACLs. A port group changes a verdict only
// through its ACLs and through the ACLs of other groups whose matches name it (@name, $name_ip4,
// $name_ip6); both come in that later transaction, which adds the group's ACLs to it. A group that an ACL
// in NB already names waits for the main transaction, as do changes to existing groups. Each
// transaction carries at most maxEntries ports (or one group). The created groups are added to cur, so
// that the plan that follows only adds their ACLs. It returns what it committed.
func createGroupsAhead(ctx context.Context, c client.Client, cur *Current, desired *nbrows.State,
	named map[string]bool, maxEntries int) (Stats, error) {
	have := make(map[string]bool, len(cur.PortGroups))
	for _, g := range cur.PortGroups {
		have[g.Name] = true
	}
	var done Stats
	var batch []*nbdb.PortGroup
	entries := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		s, err := insertGroups(ctx, c, cur, batch)
		done = done.add(s)
		batch, entries = batch[:0], 0
		return err
	}
	for i := range desired.PortGroups {
		d := &desired.PortGroups[i]
		if have[d.Name] || named[d.Name] || named[d.Name+"_ip4"] || named[d.Name+"_ip6"] {
			continue
		}
		ports, _ := memberUUIDs(d.Ports, inMap(cur.Ports)) // a port NB lacks is counted missing by the plan that follows
		if entries > 0 && entries+len(ports) > maxEntries {
			if err := flush(); err != nil {
				return done, err
			}
		}
		batch = append(batch, &nbdb.PortGroup{Name: d.Name, Ports: ports, ExternalIDs: d.ExternalIDs})
		entries += len(ports)
	}
	return done, flush()
}

// insertGroups creates port groups in one transaction and adds them to cur.
func insertGroups(ctx context.Context, c client.Client, cur *Current, groups []*nbdb.PortGroup) (Stats, error) {
	rows := rowOps{c.Cache().DatabaseModel()}
	p := &planner{rows: rows}
	for i, g := range groups {
		row := *g
		row.UUID = fmt.Sprintf("newgroup%d", i)
		p.add(rows.insert(&row))
	}
	p.stats = Stats{Ops: len(p.ops), Created: len(groups)}
	results, stats, err := commit(ctx, c, p.ops, p.stats, p.err)
	if err != nil {
		return stats, err
	}
	for i, g := range groups {
		g.UUID = results[i].UUID.GoUUID
		cur.PortGroups = append(cur.PortGroups, g)
	}
	return stats, nil
}
