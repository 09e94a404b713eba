package nbsync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"
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
	sets := uuidsByName(c, nbdb.AddressSetTable, func(m model.Model) string { return m.(*nbdb.AddressSet).Name }, len(d.AddressSets))
	for name, ch := range d.AddressSets {
		if ch.Empty() {
			continue
		}
		uuid, ok := sets[name]
		if !ok {
			return nil, Stats{}, fmt.Errorf("address set %s: %w", name, ErrRowMissing)
		}
		add, remove := ch.Sorted()
		p.mutate(nbdb.AddressSetTable, uuid, "addresses", stringValues(add), stringValues(remove))
		p.stats.AddressesAdded += len(add)
		p.stats.AddressesRemoved += len(remove)
	}
	groups := uuidsByName(c, nbdb.PortGroupTable, func(m model.Model) string { return m.(*nbdb.PortGroup).Name }, len(d.PortGroups))
	for name, ch := range d.PortGroups {
		if ch.Empty() {
			continue
		}
		uuid, ok := groups[name]
		if !ok {
			return nil, Stats{}, fmt.Errorf("port group %s: %w", name, ErrRowMissing)
		}
		add, remove := ch.Sorted()
		p.mutate(nbdb.PortGroupTable, uuid, "ports", refValues(p.portUUIDs(ctx, add)), refValues(p.portUUIDs(ctx, remove)))
	}
	p.stats.Ops = len(p.ops)
	return p.ops, p.stats, p.err
}

// uuidsByName maps the names of a table's rows to their UUIDs, reading the cache's rows without
// copying them (a Get copies the whole row, thousands of addresses for a large set). With nothing to
// look up it reads nothing.
func uuidsByName(c client.Client, table string, name func(model.Model) string, wanted int) map[string]string {
	out := map[string]string{}
	t := c.Cache().Table(table)
	if wanted == 0 || t == nil {
		return out
	}
	for uuid, m := range t.RowsShallow() {
		out[name(m)] = uuid
	}
	return out
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
	return commit(ctx, c, ops, stats, err)
}

// commit sends ops, if there are any and no error came before, and records how long NB took.
func commit(ctx context.Context, c client.Client, ops []ovsdb.Operation, stats Stats, err error) (Stats, error) {
	if err != nil || len(ops) == 0 {
		return stats, err
	}
	start := time.Now()
	err = transact(ctx, c, ops)
	stats.Commit = time.Since(start)
	return stats, err
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
	return waitForInserts(ctx, c, ops, results)
}

// waitForInserts waits until the cache holds the rows the transaction inserted. The cache follows NB
// through monitor updates that may arrive after the reply; a diff computed before they land would
// create the rows again.
func waitForInserts(ctx context.Context, c client.Client, ops []ovsdb.Operation, results []ovsdb.OperationResult) error {
	for i, op := range ops {
		if op.Op != ovsdb.OperationInsert {
			continue
		}
		table := c.Cache().Table(op.Table)
		for table == nil || table.Row(results[i].UUID.GoUUID) == nil {
			select {
			case <-ctx.Done():
				return fmt.Errorf("NB cache does not show the rows just written: %w", ctx.Err())
			case <-time.After(2 * time.Millisecond):
			}
			table = c.Cache().Table(op.Table)
		}
	}
	return nil
}
