package nbsync

import (
	"context"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// CreateAhead, CreateSetsAhead and NamedInMatches are for the tests of package nbsync_test.
var (
	CreateAhead    = createAhead
	NamedInMatches = namedInMatches
)

func CreateSetsAhead(ctx context.Context, c client.Client, cur *Current, desired *nbrows.State, maxEntries int,
) (Stats, error) {
	return createSetsAhead(ctx, c, cur, desired, namedInMatches(cur.ACLs), maxEntries)
}
