package nbsync_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/test/memnb"
)

// Dial returns before the connection is up; Wait reports its outcome, and a Conn from NewConn never waits.
func TestDialWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	refused := errors.New("refused")
	gate := make(chan struct{})
	failing := nbsync.Dial(ctx, func(context.Context) (client.Client, error) { <-gate; return nil, refused })
	if failing.Connected() || failing.Echo(ctx) == nil {
		t.Error("a Conn still dialing says it is connected, or answers an echo")
	}
	short, stop := context.WithTimeout(ctx, 20*time.Millisecond)
	if err := failing.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait while connect runs: %v, want the caller's deadline", err)
	}
	stop()
	close(gate)
	if err := failing.Wait(ctx); !errors.Is(err, refused) {
		t.Errorf("Wait after a failed connect: %v, want its error", err)
	}
	if failing.Connected() || failing.Echo(ctx) == nil {
		t.Error("a Conn whose connect failed says it is connected, or answers an echo")
	}
	failing.Close() // no client to close

	addr := memnb.Start(t)
	nb := nbsync.Dial(ctx, func(ctx context.Context) (client.Client, error) { return memnb.Connect(ctx, addr) })
	defer nb.Close()
	if err := nb.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if !nb.Connected() || nb.Echo(ctx) != nil {
		t.Error("a dialed Conn is not connected after Wait")
	}
	if err := nbsync.NewConn(nil).Wait(ctx); err != nil {
		t.Errorf("Wait of NewConn's Conn: %v", err)
	}
}
