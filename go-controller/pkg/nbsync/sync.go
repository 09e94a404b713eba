package nbsync

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Sync makes the rows tieracl owns in NB equal to desired, in one transaction. With nothing to change
// it sends nothing.
func Sync(ctx context.Context, c client.Client, desired *nbrows.State) (Stats, error) {
	ops, stats, err := Ops(ctx, c, desired)
	if err != nil || len(ops) == 0 {
		return stats, err
	}
	results, err := c.Transact(ctx, ops...)
	if err != nil {
		return stats, fmt.Errorf("NB transaction of %d operations: %w", len(ops), err)
	}
	if _, err := ovsdb.CheckOperationResults(results, ops); err != nil {
		return stats, fmt.Errorf("NB transaction of %d operations failed: %w", len(ops), err)
	}
	return stats, nil
}
