package nbsync

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Stats counts what one sync wrote.
type Stats struct {
	Ops                                  int // OVSDB operations in the transaction
	Created, Updated, Deleted, Mutations int
	AddressesAdded, AddressesRemoved     int
	PortsMissing                         int           // desired port group members with no logical switch port yet
	Commit                               time.Duration // time the transaction took, zero when nothing was sent
	// Committed says NB replied that the transaction committed (a later error, such as the cache not
	// yet showing the rows, does not undo that); of a write of several transactions, that one did, and
	// the counts above are what NB committed. Unconfirmed counts the operations sent, or maybe sent,
	// without a reply: NB may hold them or not.
	Committed   bool
	Unconfirmed int
}

// Current is what a plan starts from: the rows tieracl owns in NB now, the names of the meters others
// own, and every logical switch port (a port group can hold only ports NB has). ReadCurrent reads it.
type Current struct {
	ACLs        []*nbdb.ACL        // owned
	PortGroups  []*nbdb.PortGroup  // owned, with their ports (those of a group Plan deletes may be left out)
	AddressSets []*nbdb.AddressSet // owned, with their addresses
	Meters      []*nbdb.Meter      // owned
	MeterBands  []*nbdb.MeterBand  // the owned meters' bands
	// ForeignMeters are the names of meters others own; tieracl cannot create one of those names.
	ForeignMeters []string
	Ports         map[string]string // logical switch port name -> UUID (all ports, owned or not)
}

// owned is Current indexed by natural key.
type owned struct {
	acls      map[string]*nbdb.ACL // by name
	groups    map[string]*nbdb.PortGroup
	sets      map[string]*nbdb.AddressSet
	ports     map[string]string // logical switch port name -> UUID
	extraACLs []*nbdb.ACL       // owned ACLs whose name is taken by another owned ACL
	meters    map[string]*ownedMeter
	// foreignMeters are the names of meters others own; tieracl cannot create one of those names.
	foreignMeters map[string]bool
}

func isOwned(ids map[string]string) bool { return ids[nbrows.KeyManagedBy] == nbrows.ManagedByValue }

// index keys cur's rows by name. Of owned ACLs that share a name, the one with the smallest UUID is
// kept and the others are dropped.
func index(cur *Current) (*owned, error) {
	o := &owned{acls: map[string]*nbdb.ACL{}, groups: map[string]*nbdb.PortGroup{},
		sets: map[string]*nbdb.AddressSet{}, ports: cur.Ports, meters: map[string]*ownedMeter{},
		foreignMeters: map[string]bool{}}
	if o.ports == nil {
		o.ports = map[string]string{}
	}
	acls := slices.SortedFunc(slices.Values(cur.ACLs), func(a, b *nbdb.ACL) int { return cmp.Compare(a.UUID, b.UUID) })
	for _, a := range acls {
		name := deref(a.Name)
		if _, dup := o.acls[name]; dup {
			o.extraACLs = append(o.extraACLs, a)
			continue
		}
		o.acls[name] = a
	}
	for _, g := range cur.PortGroups {
		o.groups[g.Name] = g
	}
	for _, s := range cur.AddressSets {
		o.sets[s.Name] = s
	}
	bands := map[string]*nbdb.MeterBand{}
	for _, b := range cur.MeterBands {
		bands[b.UUID] = b
	}
	for _, m := range cur.Meters {
		om := &ownedMeter{row: m}
		for _, uuid := range m.Bands {
			band, ok := bands[uuid]
			if !ok {
				return nil, fmt.Errorf("meter %s: band %s is not in NB", m.Name, uuid)
			}
			om.bands = append(om.bands, band)
		}
		o.meters[m.Name] = om
	}
	for _, name := range cur.ForeignMeters {
		o.foreignMeters[name] = true
	}
	return o, nil
}

// planner accumulates the operations of one transaction.
type planner struct {
	rows  rowOps
	ops   []ovsdb.Operation
	stats Stats
	err   error
}

func (p *planner) add(ops []ovsdb.Operation, err error) {
	if err != nil && p.err == nil {
		p.err = err
	}
	p.ops = append(p.ops, ops...)
}

// Plan computes the operations that turn the rows of cur into desired, without I/O. When cur already
// holds desired it returns no operations at all. Rows are mapped with the committed NB schema.
func Plan(cur *Current, desired *nbrows.State) ([]ovsdb.Operation, Stats, error) {
	db, err := committedModel()
	if err != nil {
		return nil, Stats{}, err
	}
	return plan(rowOps{db}, cur, desired)
}

func plan(rows rowOps, cur *Current, desired *nbrows.State) ([]ovsdb.Operation, Stats, error) {
	if err := validate(desired); err != nil {
		return nil, Stats{}, err
	}
	o, err := index(cur)
	if err != nil {
		return nil, Stats{}, err
	}
	p := &planner{rows: rows}
	p.addressSets(o, desired)
	p.meters(o, desired)
	groupACLs := p.acls(o, desired)
	p.portGroups(o, desired, groupACLs)
	p.stats.Ops = len(p.ops)
	return p.ops, p.stats, p.err
}

func validate(desired *nbrows.State) error {
	if err := desired.Validate(); err != nil {
		return fmt.Errorf("refusing to write an invalid state: %w", err)
	}
	return nil
}

func (p *planner) addressSets(cur *owned, desired *nbrows.State) {
	want := map[string]bool{}
	for _, d := range desired.AddressSets {
		want[d.Name] = true
		have, ok := cur.sets[d.Name]
		if !ok {
			p.add(p.rows.insert(&nbdb.AddressSet{Name: d.Name, Addresses: d.Addresses, ExternalIDs: d.ExternalIDs}))
			p.stats.Created++
			p.stats.AddressesAdded += len(d.Addresses)
			continue
		}
		added, removed := diff(have.Addresses, d.Addresses)
		p.mutate(nbdb.AddressSetTable, have.UUID, "addresses", stringValues(added), stringValues(removed))
		p.stats.AddressesAdded += len(added)
		p.stats.AddressesRemoved += len(removed)
		if !maps.Equal(have.ExternalIDs, d.ExternalIDs) {
			row := &nbdb.AddressSet{UUID: have.UUID, ExternalIDs: d.ExternalIDs}
			p.add(p.rows.update(row, &row.ExternalIDs))
			p.stats.Updated++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cur.sets)) {
		if !want[name] {
			p.ops = append(p.ops, deleteOp(nbdb.AddressSetTable, cur.sets[name].UUID))
			p.stats.Deleted++
		}
	}
}

// mutate inserts and deletes members of a set column of the row with that UUID in place, never rewriting
// the whole column. It builds the operations itself: libovsdb's Where(row).Mutate looks the row up in
// its cache and clones it, which for a set of thousands of addresses costs more than the mutation. The
// deletes and inserts go in one operation: NB parses, looks up and logs each operation.
func (p *planner) mutate(table, uuid, column string, added, removed []any) {
	var mutations []ovsdb.Mutation
	for _, m := range []struct {
		mutator ovsdb.Mutator
		values  []any
	}{{ovsdb.MutateOperationDelete, removed}, {ovsdb.MutateOperationInsert, added}} {
		if len(m.values) > 0 {
			mutations = append(mutations, *ovsdb.NewMutation(column, m.mutator, ovsdb.OvsSet{GoSet: m.values}))
		}
	}
	if len(mutations) == 0 {
		return
	}
	where := []ovsdb.Condition{ovsdb.NewCondition("_uuid", ovsdb.ConditionEqual, ovsdb.UUID{GoUUID: uuid})}
	p.ops = append(p.ops, ovsdb.Operation{Op: ovsdb.OperationMutate, Table: table, Where: where, Mutations: mutations})
	p.stats.Mutations++
}

// stringValues and refValues are the values of a set of strings and of a set of row references (UUIDs, or
// the named UUIDs of rows the same transaction inserts).
func stringValues(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

func refValues(uuids []string) []any {
	out := make([]any, len(uuids))
	for i, u := range uuids {
		out[i] = ovsdb.UUID{GoUUID: u}
	}
	return out
}

// acls creates, updates in place, or drops ACLs, and returns for each desired port group the UUIDs (real
// or named) of the ACLs it must hold.
func (p *planner) acls(cur *owned, desired *nbrows.State) map[string][]string {
	groupACLs := map[string][]string{}
	want := map[string]bool{}
	for i, d := range desired.ACLs {
		want[d.Name] = true
		row := aclRow(d)
		have, ok := cur.acls[d.Name]
		if !ok {
			row.UUID = fmt.Sprintf("newacl%d", i)
			p.add(p.rows.insert(row))
			p.stats.Created++
			groupACLs[d.PortGroup] = append(groupACLs[d.PortGroup], row.UUID)
			continue
		}
		row.UUID = have.UUID
		if !sameACL(have, row) {
			p.add(p.rows.update(row, &row.Action, &row.Direction, &row.ExternalIDs, &row.Log, &row.Match,
				&row.Meter, &row.Name, &row.Options, &row.Priority, &row.Severity, &row.Tier))
			p.stats.Updated++
		}
		groupACLs[d.PortGroup] = append(groupACLs[d.PortGroup], have.UUID)
	}
	// ACLs no longer desired are dropped from their groups (portGroups does that, as they are missing
	// from groupACLs); OVSDB then deletes them, unreferenced. Duplicates are dropped the same way.
	for name := range cur.acls {
		if !want[name] {
			p.stats.Deleted++
		}
	}
	p.stats.Deleted += len(cur.extraACLs)
	return groupACLs
}

func (p *planner) portGroups(cur *owned, desired *nbrows.State, groupACLs map[string][]string) {
	want := map[string]bool{}
	for _, d := range desired.PortGroups {
		want[d.Name] = true
		ports, missing := memberUUIDs(d.Ports, inMap(cur.ports))
		p.stats.PortsMissing += missing
		acls := groupACLs[d.Name]
		have, ok := cur.groups[d.Name]
		if !ok {
			p.add(p.rows.insert(&nbdb.PortGroup{Name: d.Name, Ports: ports, ACLs: acls, ExternalIDs: d.ExternalIDs}))
			p.stats.Created++
			continue
		}
		added, removed := diff(have.Ports, ports)
		p.mutate(nbdb.PortGroupTable, have.UUID, "ports", refValues(added), refValues(removed))
		added, removed = diff(have.ACLs, acls)
		p.mutate(nbdb.PortGroupTable, have.UUID, "acls", refValues(added), refValues(removed))
		if !maps.Equal(have.ExternalIDs, d.ExternalIDs) {
			row := &nbdb.PortGroup{UUID: have.UUID, ExternalIDs: d.ExternalIDs}
			p.add(p.rows.update(row, &row.ExternalIDs))
			p.stats.Updated++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cur.groups)) {
		if !want[name] {
			p.ops = append(p.ops, deleteOp(nbdb.PortGroupTable, cur.groups[name].UUID))
			p.stats.Deleted++
		}
	}
}

func aclRow(d nbrows.ACL) *nbdb.ACL {
	row := &nbdb.ACL{Action: d.Action, Direction: d.Direction, ExternalIDs: d.ExternalIDs, Log: d.Log, Match: d.Match,
		Options: d.Options, Priority: d.Priority, Tier: d.Tier}
	if d.Name != "" {
		name := d.Name
		row.Name = &name
	}
	if d.Severity != "" {
		sev := d.Severity
		row.Severity = &sev
	}
	if d.Meter != "" {
		meter := d.Meter
		row.Meter = &meter
	}
	if row.Options == nil {
		row.Options = map[string]string{}
	}
	return row
}

func sameACL(a, b *nbdb.ACL) bool {
	return a.Action == b.Action && a.Direction == b.Direction && a.Log == b.Log && a.Match == b.Match &&
		a.Priority == b.Priority && a.Tier == b.Tier && deref(a.Name) == deref(b.Name) &&
		deref(a.Severity) == deref(b.Severity) && deref(a.Meter) == deref(b.Meter) &&
		maps.Equal(a.ExternalIDs, b.ExternalIDs) && maps.Equal(a.Options, b.Options)
}

// diff returns what want has that have lacks, and the reverse, each sorted. It merges the two sorted
// rather than hashing them: port groups hold hundreds of thousands of UUIDs.
func diff(have, want []string) (added, removed []string) {
	if slices.Equal(have, want) { // the common case of a resync: NB lists a set's members sorted, as desired is
		return nil, nil
	}
	h, w := sortedSet(have), sortedSet(want)
	for i, j := 0, 0; i < len(h) || j < len(w); {
		switch {
		case j == len(w) || i < len(h) && h[i] < w[j]:
			removed = append(removed, h[i])
			i++
		case i == len(h) || w[j] < h[i]:
			added = append(added, w[j])
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}

// sortedSet is xs sorted without repeats: xs itself when it is already, else a sorted copy.
func sortedSet(xs []string) []string {
	for i := 1; i < len(xs); i++ {
		if xs[i-1] >= xs[i] {
			return slices.Compact(slices.Sorted(slices.Values(xs)))
		}
	}
	return xs
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
