package nbsync

import (
	"context"
	"errors"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// ErrRowMissing means a delta names a row NB does not hold (someone deleted it, or a write was lost):
// only a full Sync repairs that.
var ErrRowMissing = errors.New("row missing in NB")

// DeltaOps turns member moves into mutate operations on the named rows, found through the cache's name
// indexes, so an event costs work in proportion to what it moves, not to the size of NB. Port group
// members whose logical switch port does not exist yet are left out and counted in PortsMissing; the
// controller adds them when the port appears.
func DeltaOps(ctx context.Context, c client.Client, d *nbrows.Delta) ([]ovsdb.Operation, Stats, error) {
	p := &planner{c: c}
	for name, ch := range d.AddressSets {
		if ch.Empty() {
			continue
		}
		row := &nbdb.AddressSet{Name: name}
		if err := c.Get(ctx, row); err != nil {
			return nil, Stats{}, fmt.Errorf("address set %s: %w: %v", name, ErrRowMissing, err)
		}
		add, remove := ch.Sorted()
		p.mutate(row, &row.Addresses, add, remove)
		p.stats.AddressesAdded += len(add)
		p.stats.AddressesRemoved += len(remove)
	}
	for name, ch := range d.PortGroups {
		if ch.Empty() {
			continue
		}
		row := &nbdb.PortGroup{Name: name}
		if err := c.Get(ctx, row); err != nil {
			return nil, Stats{}, fmt.Errorf("port group %s: %w: %v", name, ErrRowMissing, err)
		}
		add, remove := ch.Sorted()
		p.mutate(row, &row.Ports, p.portUUIDs(ctx, add), p.portUUIDs(ctx, remove))
	}
	p.stats.Ops = len(p.ops)
	return p.ops, p.stats, p.err
}

// portUUIDs maps logical switch port names to UUIDs, skipping ports NB does not hold.
func (p *planner) portUUIDs(ctx context.Context, names []string) []string {
	var out []string
	for _, name := range names {
		lsp := &nbdb.LogicalSwitchPort{Name: name}
		if err := p.c.Get(ctx, lsp); err != nil {
			p.stats.PortsMissing++
			continue
		}
		out = append(out, lsp.UUID)
	}
	return out
}

// ApplyDelta writes a delta in one transaction; with nothing to move it sends nothing.
func ApplyDelta(ctx context.Context, c client.Client, d *nbrows.Delta) (Stats, error) {
	ops, stats, err := DeltaOps(ctx, c, d)
	if err != nil || len(ops) == 0 {
		return stats, err
	}
	return stats, transact(ctx, c, ops)
}

// transact commits ops and checks every result.
func transact(ctx context.Context, c client.Client, ops []ovsdb.Operation) error {
	results, err := c.Transact(ctx, ops...)
	if err != nil {
		return fmt.Errorf("NB transaction of %d operations: %w", len(ops), err)
	}
	if _, err := ovsdb.CheckOperationResults(results, ops); err != nil {
		return fmt.Errorf("NB transaction of %d operations failed: %w", len(ops), err)
	}
	return nil
}
