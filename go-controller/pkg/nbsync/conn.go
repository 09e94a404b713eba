package nbsync

import (
	"context"
	"fmt"
	"sync"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Conn is the controller's NB over a libovsdb client monitored with Monitor (Connect makes one): the
// production implementation of controller.NB.
type Conn struct {
	c client.Client

	mu        sync.Mutex
	echo      *echoCall // the echo in flight, nil when none is
	unsettled bool      // the last write left a transaction unanswered

	dialed  chan struct{} // Dial's: closed once c and dialErr are set; nil for NewConn's
	dialErr error
}

// NewConn wraps a connected client; the caller still owns it and closes it.
func NewConn(c client.Client) *Conn { return &Conn{c: c} }

// Sync writes the whole desired state (see Sync).
func (n *Conn) Sync(ctx context.Context, desired *nbrows.State) (Stats, error) {
	return n.write(ctx, func() (Stats, error) { return Sync(ctx, n.c, desired) })
}

// ApplyDelta writes a delta's member moves in one transaction.
func (n *Conn) ApplyDelta(ctx context.Context, d *nbrows.Delta) (Stats, error) {
	return n.write(ctx, func() (Stats, error) { return ApplyDelta(ctx, n.c, d) })
}

// write runs one write. After a transaction NB left unanswered, the next write first waits for NB to
// answer an echo: NB answers in order, so by then the transaction has committed or failed and the
// cache shows which, and the write does not plan from rows NB is still changing (nor send a second
// copy of a large transaction behind the first).
func (n *Conn) write(ctx context.Context, w func() (Stats, error)) (Stats, error) {
	n.mu.Lock()
	unsettled := n.unsettled
	n.mu.Unlock()
	if unsettled {
		ectx, cancel := transactionContext(ctx)
		err := n.Echo(ectx)
		cancel()
		if err != nil {
			return Stats{}, fmt.Errorf("NB has not answered since a transaction it left unanswered: %w", err)
		}
	}
	stats, err := w()
	n.mu.Lock()
	n.unsettled = stats.Unconfirmed > 0
	n.mu.Unlock()
	return stats, err
}

// DifferingAddressSets returns, with their addresses, the owned sets whose addresses in NB are not
// want's; NB compares them.
func (n *Conn) DifferingAddressSets(ctx context.Context, want []nbrows.AddressSet) ([]*nbdb.AddressSet, error) {
	return DifferingAddressSets(ctx, n.c, want)
}

// DifferingPortGroups returns, with their ports, the owned groups whose ports in NB are not the UUIDs
// port finds for want's; NB compares them.
func (n *Conn) DifferingPortGroups(ctx context.Context, want []nbrows.PortGroup, port PortUUID,
) ([]*nbdb.PortGroup, error) {
	return DifferingPortGroups(ctx, n.c, want, port)
}

// Cache is the client's monitored copy of NB.
func (n *Conn) Cache() *cache.TableCache { return n.c.Cache() }

// Connected reports whether the client holds a connection (libovsdb may say so while it reconnects).
// A Conn Dial made is not connected until its connection is up.
func (n *Conn) Connected() bool { return n.up() && n.c.Connected() }

// echoCall is one echo sent to NB: done is closed once err is its answer, for every caller waiting.
type echoCall struct {
	done   chan struct{}
	err    error
	joined int // callers that have waited on it, under Conn.mu: tests tell from it that a caller waits
}

// Echo asks NB to answer, and says so if it has not when ctx ends. libovsdb's Echo must never see a
// context end: on a timeout it compares the reply while the late answer is still being decoded into
// it (a data race in libovsdb v0.8.1). So one echo at a time runs without a deadline, every caller
// waiting meanwhile gets its answer (the controller's NB watch and the metric ask at once), and a
// caller that stops waiting finds it still in flight next time, or sends a new one once it was answered.
func (n *Conn) Echo(ctx context.Context) error {
	if !n.up() {
		return errNotDialed
	}
	n.mu.Lock()
	e := n.echo
	if e == nil {
		e = &echoCall{done: make(chan struct{})}
		n.echo = e
		go func() {
			e.err = n.c.Echo(context.Background())
			n.mu.Lock()
			n.echo = nil // the next caller sends an echo of its own
			n.mu.Unlock()
			close(e.done)
		}()
	}
	e.joined++
	n.mu.Unlock()
	select {
	case <-e.done:
		return e.err
	case <-ctx.Done():
		return fmt.Errorf("NB has not answered an echo: %w", ctx.Err())
	}
}
