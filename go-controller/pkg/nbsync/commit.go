package nbsync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// ErrOutcomeUnknown marks a write whose transaction was sent, or may have been, but whose reply never
// came (the context ended, the connection dropped): NB may have committed it or not. Stats.Unconfirmed
// counts its operations; only a whole-state write that reads NB again settles what NB holds.
var ErrOutcomeUnknown = errors.New("NB transaction outcome unknown")

// Commit sends ops in one transaction, if there are any and no error came before, and records in stats
// how long NB took and what became of the transaction (Committed, Unconfirmed).
func Commit(ctx context.Context, c client.Client, ops []ovsdb.Operation, stats Stats, err error) (Stats, error) {
	_, stats, err = commit(ctx, c, ops, stats, err)
	return stats, err
}

func commit(ctx context.Context, c client.Client, ops []ovsdb.Operation, stats Stats, err error,
) ([]ovsdb.OperationResult, Stats, error) {
	if err != nil || len(ops) == 0 {
		return nil, stats, err
	}
	ctx, cancel := transactionContext(ctx)
	defer cancel()
	start := time.Now()
	results, err := c.Transact(ctx, ops...)
	stats.Commit = time.Since(start)
	if err != nil {
		if !errors.Is(err, client.ErrNotConnected) { // else not sent at all
			stats.Unconfirmed = len(ops)
			err = fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
		}
		return nil, stats, fmt.Errorf("NB transaction of %d operations: %w", len(ops), err)
	}
	if _, err := ovsdb.CheckOperationResults(results, ops); err != nil {
		return nil, stats, fmt.Errorf("NB transaction of %d operations failed: %w", len(ops), err) // none applied
	}
	stats.Committed = true
	return results, stats, waitForInserts(ctx, c, ops, results)
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
				return fmt.Errorf("NB committed the transaction, but its cache does not show the rows yet: %w",
					ctx.Err())
			case <-time.After(2 * time.Millisecond):
			}
			table = c.Cache().Table(op.Table)
		}
	}
	return nil
}

type timeoutKey struct{}

// WithTransactionTimeout bounds each NB request a write makes through the returned context (a read, a
// transaction), rather than the write as a whole: a whole-state write of a large cluster is several.
func WithTransactionTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, timeoutKey{}, d)
}

// transactionContext bounds one request by the timeout WithTransactionTimeout set, if any.
func transactionContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Value(timeoutKey{}).(time.Duration); ok && d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}
