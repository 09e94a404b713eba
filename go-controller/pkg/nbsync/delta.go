package nbsync

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// ErrRowMissing means a delta names a row NB does not hold (someone deleted it, or a write was lost):
// only a full Sync repairs that.
var ErrRowMissing = errors.New("row missing in NB")

// Lookup finds the UUID of the row of table (Address_Set, Port_Group or Logical_Switch_Port) with that
// name; ok is false when NB holds none.
type Lookup func(table, name string) (uuid string, ok bool)

// PlanDelta turns member moves into mutate operations on the named rows, without I/O. It looks up only
// the rows the delta names, so an event costs work in proportion to what it moves, not to the size of NB.
// Port group members whose logical switch port does not exist yet are left out and counted in
// PortsMissing; the controller adds them when the port appears.
func PlanDelta(lookup Lookup, d *nbrows.Delta) ([]ovsdb.Operation, Stats, error) {
	p := &planner{}
	for _, name := range slices.Sorted(maps.Keys(d.AddressSets)) {
		ch := d.AddressSets[name]
		if ch.Empty() {
			continue
		}
		uuid, ok := lookup(nbdb.AddressSetTable, name)
		if !ok {
			return nil, Stats{}, fmt.Errorf("address set %s: %w", name, ErrRowMissing)
		}
		add, remove := ch.Sorted()
		p.mutate(nbdb.AddressSetTable, uuid, "addresses", stringValues(add), stringValues(remove))
		p.stats.AddressesAdded += len(add)
		p.stats.AddressesRemoved += len(remove)
	}
	for _, name := range slices.Sorted(maps.Keys(d.PortGroups)) {
		ch := d.PortGroups[name]
		if ch.Empty() {
			continue
		}
		uuid, ok := lookup(nbdb.PortGroupTable, name)
		if !ok {
			return nil, Stats{}, fmt.Errorf("port group %s: %w", name, ErrRowMissing)
		}
		add, remove := ch.Sorted()
		p.mutate(nbdb.PortGroupTable, uuid, "ports", refValues(p.portUUIDs(lookup, add)),
			refValues(p.portUUIDs(lookup, remove)))
	}
	p.stats.Ops = len(p.ops)
	return p.ops, p.stats, nil
}

// portUUIDs maps logical switch port names to UUIDs, skipping ports NB does not hold.
func (p *planner) portUUIDs(lookup Lookup, names []string) []string {
	var out []string
	for _, name := range names {
		uuid, ok := lookup(nbdb.LogicalSwitchPortTable, name)
		if !ok {
			p.stats.PortsMissing++
			continue
		}
		out = append(out, uuid)
	}
	return out
}
