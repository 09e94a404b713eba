package nbsync

import (
	"context"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Conn is the controller's NB over a libovsdb client monitored with Monitor (Connect makes one): the
// production implementation of controller.NB.
type Conn struct{ c client.Client }

// NewConn wraps a connected client; the caller still owns it and closes it.
func NewConn(c client.Client) *Conn { return &Conn{c: c} }

// Sync writes the whole desired state in one transaction.
func (n *Conn) Sync(ctx context.Context, desired *nbrows.State) (Stats, error) {
	return Sync(ctx, n.c, desired)
}

// ApplyDelta writes a delta's member moves in one transaction.
func (n *Conn) ApplyDelta(ctx context.Context, d *nbrows.Delta) (Stats, error) {
	return ApplyDelta(ctx, n.c, d)
}

// OwnedAddressSets reads the owned address sets with their addresses from NB itself.
func (n *Conn) OwnedAddressSets(ctx context.Context) ([]*nbdb.AddressSet, error) {
	return ReadAddressSets(ctx, n.c, true)
}

// Cache is the client's monitored copy of NB.
func (n *Conn) Cache() *cache.TableCache { return n.c.Cache() }

// Connected reports whether the client holds a connection (libovsdb may say so while it reconnects).
func (n *Conn) Connected() bool { return n.c.Connected() }

// Echo asks NB to answer.
func (n *Conn) Echo(ctx context.Context) error { return n.c.Echo(ctx) }
