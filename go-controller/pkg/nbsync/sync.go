package nbsync

import (
	"context"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Sync makes the rows tieracl owns in NB equal to desired, in one transaction. With nothing to change
// it sends nothing.
func Sync(ctx context.Context, c client.Client, desired *nbrows.State) (Stats, error) {
	ops, stats, err := Ops(ctx, c, desired)
	return Commit(ctx, c, ops, stats, err)
}

// Ops reads the owned rows through c and plans the operations that turn them into desired. When NB
// already holds desired it returns no operations at all.
func Ops(ctx context.Context, c client.Client, desired *nbrows.State) ([]ovsdb.Operation, Stats, error) {
	if err := validate(desired); err != nil {
		return nil, Stats{}, err
	}
	cur, err := ReadCurrent(ctx, c)
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
