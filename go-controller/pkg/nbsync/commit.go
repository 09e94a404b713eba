package nbsync

import (
	"context"
	"fmt"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// Commit sends ops in one transaction, if there are any and no error came before, and records in stats
// how long NB took.
func Commit(ctx context.Context, c client.Client, ops []ovsdb.Operation, stats Stats, err error) (Stats, error) {
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
func waitForInserts(ctx context.Context, c client.Client, ops []ovsdb.Operation,
	results []ovsdb.OperationResult,
) error {
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
