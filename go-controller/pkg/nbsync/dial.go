package nbsync

import (
	"context"
	"errors"

	"github.com/ovn-kubernetes/libovsdb/client"
)

// Dial runs connect (Connect, with the caller's address and options) in the background and returns at
// once: the monitor's first dump of a large NB takes seconds, and the caller can list its cluster
// meanwhile. Wait says when the connection is up; until then Connected is false and Echo fails, and no
// other method may be called. The Conn owns the client: Close closes it.
func Dial(ctx context.Context, connect func(context.Context) (client.Client, error)) *Conn {
	n := &Conn{dialed: make(chan struct{})}
	go func() {
		defer close(n.dialed)
		n.c, n.dialErr = connect(ctx)
	}()
	return n
}

var errNotDialed = errors.New("NB: not connected yet")

// up reports whether the Conn has a client: always for NewConn's, once Dial's has connected.
func (n *Conn) up() bool {
	if n.dialed == nil {
		return true
	}
	select {
	case <-n.dialed:
		return n.c != nil
	default:
		return false
	}
}

// Wait returns once the connection Dial began is up, or why it failed; at once for NewConn's Conn.
func (n *Conn) Wait(ctx context.Context) error {
	if n.dialed == nil {
		return nil
	}
	select {
	case <-n.dialed:
		return n.dialErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the client of a Conn Dial made, once its connection attempt has ended; NewConn's client
// is the caller's to close.
func (n *Conn) Close() {
	if n.dialed == nil {
		return
	}
	<-n.dialed
	if n.c != nil {
		n.c.Close()
	}
}
