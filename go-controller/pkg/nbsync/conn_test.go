package nbsync

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
)

// echoClient is a client whose Echo waits for answer; every other method is the nil interface's.
type echoClient struct {
	client.Client
	calls  atomic.Int32
	answer chan error
}

func (e *echoClient) Echo(ctx context.Context) error {
	e.calls.Add(1)
	if ctx.Done() != nil {
		return errors.New("libovsdb's Echo was given a context that can end")
	}
	return <-e.answer
}

// A caller that stops waiting leaves the one echo in flight; the next caller waits for it, and gets
// its answer once NB gives it; the echo after that is sent anew.
func TestEchoOneInFlightNoDeadline(t *testing.T) {
	fake := &echoClient{answer: make(chan error, 1)}
	n := NewConn(fake)
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := n.Echo(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("echo %d while NB is silent: %v, want a deadline error", i, err)
		}
	}
	if c := fake.calls.Load(); c != 1 {
		t.Fatalf("libovsdb's Echo called %d times for one unanswered echo, want 1", c)
	}
	got := make(chan error, 1)
	go func() { got <- n.Echo(context.Background()) }()
	waitJoined(t, n, 4) // the fourth caller waits on the same echo before NB answers it
	fake.answer <- nil
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("echo once NB answered: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting caller did not get the echo's answer in 10 s")
	}
	if c := fake.calls.Load(); c != 1 {
		t.Errorf("libovsdb's Echo called %d times for one echo, want 1", c)
	}
	fake.answer <- errors.New("down")
	if err := n.Echo(context.Background()); err == nil || err.Error() != "down" {
		t.Errorf("the next echo starts anew: %v, want its own answer", err)
	}
}

// waitJoined waits until the echo in flight has had want callers.
func waitJoined(t *testing.T, n *Conn, want int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		n.mu.Lock()
		joined := 0
		if n.echo != nil {
			joined = n.echo.joined
		}
		n.mu.Unlock()
		if joined == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the echo in flight had %d callers after 10 s, want %d", joined, want)
		}
	}
}

// Callers waiting on the same echo all get its answer: the controller's NB watch must not wait out its
// deadline because the metric's check took the answer.
func TestEchoAnswersEveryWaiter(t *testing.T) {
	fake := &echoClient{answer: make(chan error, 1)}
	n := NewConn(fake)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			errs <- n.Echo(ctx)
		}()
	}
	waitJoined(t, n, 2)
	fake.answer <- errors.New("down")
	for i := range 2 {
		if err := <-errs; err == nil || err.Error() != "down" {
			t.Errorf("waiter %d: %v, want the echo's answer", i, err)
		}
	}
}
