package nbsync

import (
	"context"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Sync makes the rows tieracl owns in NB equal to desired. Every change that can move a verdict goes in
// one transaction; only new address sets and port groups that no ACL names yet are created before it,
// in transactions of their own (createSetsAhead and createGroupsAhead say why that opens no window).
// With nothing to change it sends nothing.
func Sync(ctx context.Context, c client.Client, desired *nbrows.State) (Stats, error) {
	if err := validate(desired); err != nil {
		return Stats{}, err
	}
	rctx, cancel := transactionContext(ctx)
	cur, err := readCurrent(rctx, c, desired)
	cancel()
	if err != nil {
		return Stats{}, err
	}
	ahead, err := createAhead(ctx, c, cur, desired, aheadEntries)
	if err != nil {
		return ahead, err
	}
	ops, stats, err := plan(rowOps{c.Cache().DatabaseModel()}, cur, desired)
	stats, err = Commit(ctx, c, ops, stats, err)
	return ahead.add(stats), err
}

// Ops reads the owned rows through c and plans the operations that turn them into desired, all in one
// list. Sync sends the same changes, some inserts of address sets and port groups ahead of the rest (a
// group created ahead gets its ACLs by a mutation). When NB already holds desired it returns none.
func Ops(ctx context.Context, c client.Client, desired *nbrows.State) ([]ovsdb.Operation, Stats, error) {
	if err := validate(desired); err != nil {
		return nil, Stats{}, err
	}
	cur, err := readCurrent(ctx, c, desired)
	if err != nil {
		return nil, Stats{}, err
	}
	return plan(rowOps{c.Cache().DatabaseModel()}, cur, desired)
}

// ApplyDelta writes a delta in one transaction; with nothing to move it sends nothing.
func ApplyDelta(ctx context.Context, c client.Client, d *nbrows.Delta) (Stats, error) {
	ops, stats, err := DeltaOps(c, d)
	return Commit(ctx, c, ops, stats, err)
}

// DeltaOps plans a delta against the rows of c's cache.
func DeltaOps(c client.Client, d *nbrows.Delta) ([]ovsdb.Operation, Stats, error) {
	return PlanDelta(CacheLookup(c.Cache()), d)
}
