package controller

import (
	"context"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/model"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// NB is what the controller needs of the Northbound database: one transaction per write, the owned
// groups' and sets' members compared in NB itself, a monitored cache of nbsync.Monitor's tables to read
// rows from and hear changes through, and whether NB answers. nbsync.Conn is the production one.
type NB interface {
	// Sync writes the whole desired state in one transaction, ApplyDelta a delta's member moves; with
	// nothing to change neither sends anything.
	Sync(ctx context.Context, desired *nbrows.State) (nbsync.Stats, error)
	ApplyDelta(ctx context.Context, d *nbrows.Delta) (nbsync.Stats, error)
	// DifferingAddressSets returns, with their addresses (which the cache lacks), the sets tieracl owns
	// whose addresses in NB are not want's.
	DifferingAddressSets(ctx context.Context, want []nbrows.AddressSet) ([]*nbdb.AddressSet, error)
	// DifferingPortGroups returns, with their ports (which the cache lacks), the groups tieracl owns
	// whose ports in NB are not the UUIDs port finds for want's ports (names).
	DifferingPortGroups(ctx context.Context, want []nbrows.PortGroup, port nbsync.PortUUID) ([]*nbdb.PortGroup, error)
	Cache() *cache.TableCache
	Connected() bool
	Echo(ctx context.Context) error
}

// connecting is an NB that may still be connecting when Run starts (nbsync.Dial's Conn): Run lists the
// cluster meanwhile and waits for it before it first touches NB.
type connecting interface {
	Wait(ctx context.Context) error
}

// cached finds a row in the NB cache by the UUID or name probe holds, as libovsdb's Get does.
func cached[T model.Model](nb NB, table string, probe T) (T, bool) {
	var zero T
	t := nb.Cache().Table(table)
	if t == nil {
		return zero, false
	}
	_, m, err := t.RowByModel(probe)
	if err != nil || m == nil {
		return zero, false
	}
	row, ok := m.(T)
	return row, ok
}
