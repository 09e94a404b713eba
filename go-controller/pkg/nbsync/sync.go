package nbsync

import (
	"context"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Sync makes the rows tieracl owns in NB equal to desired, in one transaction. With nothing to change
// it sends nothing.
func Sync(ctx context.Context, c client.Client, desired *nbrows.State) (Stats, error) {
	ops, stats, err := Ops(ctx, c, desired)
	return commit(ctx, c, ops, stats, err)
}
