package controller_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ovn-kubernetes/libovsdb/cache"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// fakeNB is a controller.NB in memory for tests that drive the worker batch by batch: it records every
// write and fails the ones it is told to. Its cache holds logical switch ports only, and it is not
// monitored: nothing echoes the writes back, so no drift is ever seen.
type fakeNB struct {
	t     *testing.T
	cache *cache.TableCache
	mu    sync.Mutex
	calls []nbCall
	fail  []error // the errors of the next writes, in order; nil lets one through
	// While holding, each write that sends a transaction waits after it is recorded until release(its
	// index) lets it return; started receives the index of each write as it begins waiting.
	holding bool
	gates   map[int]chan struct{}
	started chan int
	audits  chan struct{} // receives one value for each DifferingAddressSets call
	// groups, when set, is what DifferingPortGroups answers; else no group differs.
	groups func(want []nbrows.PortGroup, port nbsync.PortUUID) []*nbdb.PortGroup
}

// nbCall is one write the controller asked for.
type nbCall struct {
	full  bool
	state nbrows.State  // a full write's state
	delta *nbrows.Delta // a delta write's member moves
	err   error
}

// sent reports whether the call would have sent a transaction: a delta with nothing to move sends none.
func (c nbCall) sent() bool {
	if c.full {
		return true
	}
	for _, t := range []map[string]*nbrows.Change{c.delta.AddressSets, c.delta.PortGroups} {
		for _, ch := range t {
			if !ch.Empty() {
				return true
			}
		}
	}
	return false
}

func (c nbCall) String() string {
	mode := "delta"
	if c.full {
		mode = "full"
	}
	if c.err != nil {
		return mode + " (failed)"
	}
	return mode
}

// newFakeNB holds a logical switch port for each of snap's pods.
func newFakeNB(t *testing.T, snap *cluster.Snapshot) *fakeNB {
	t.Helper()
	db, err := nbsync.DatabaseModel()
	if err != nil {
		t.Fatal(err)
	}
	tc, err := cache.NewTableCache(db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range snap.Pods {
		uuid := fmt.Sprintf("00000000-0000-0000-0000-%012d", i+1)
		lsp := &nbdb.LogicalSwitchPort{UUID: uuid, Name: cluster.DefaultPortName(p.Namespace, p.Name)}
		if err := tc.Table(nbdb.LogicalSwitchPortTable).Create(uuid, lsp, true); err != nil {
			t.Fatal(err)
		}
	}
	return &fakeNB{t: t, cache: tc, audits: make(chan struct{}, 100)}
}

var errInjected = errors.New("injected NB failure")

// failNext makes the next writes fail with errs, in order.
func (f *fakeNB) failNext(errs ...error) {
	f.mu.Lock()
	f.fail = append(f.fail, errs...)
	f.mu.Unlock()
}

func (f *fakeNB) record(c nbCall) (nbsync.Stats, error) {
	f.mu.Lock()
	if len(f.fail) > 0 {
		c.err, f.fail = f.fail[0], f.fail[1:]
	}
	f.calls = append(f.calls, c)
	i, gate := len(f.calls)-1, (chan struct{})(nil)
	if f.holding && c.sent() {
		gate = make(chan struct{})
		f.gates[i] = gate
	}
	f.mu.Unlock()
	if gate != nil {
		f.started <- i
		<-gate
	}
	return nbsync.Stats{Ops: 1}, c.err
}

// hold makes every later write wait until it is released, until unhold; the test's end releases all.
func (f *fakeNB) hold() {
	f.mu.Lock()
	f.holding, f.gates, f.started = true, map[int]chan struct{}{}, make(chan int, 100)
	f.mu.Unlock()
	f.t.Cleanup(f.unhold)
}

// unhold releases every held write and lets later ones return at once.
func (f *fakeNB) unhold() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.holding = false
	for i, gate := range f.gates {
		close(gate)
		delete(f.gates, i)
	}
}

// waitStarted waits until the next held write has begun and returns its index in the calls.
func (f *fakeNB) waitStarted(ctx context.Context) int {
	f.t.Helper()
	select {
	case i := <-f.started:
		return i
	case <-ctx.Done():
		f.t.Fatal("no write began")
		return -1
	}
}

// release lets held write i return.
func (f *fakeNB) release(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	close(f.gates[i])
	delete(f.gates, i)
}

// sentCalls returns the writes that sent a transaction, or tried to.
func (f *fakeNB) sentCalls() []nbCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []nbCall
	for _, c := range f.calls {
		if c.sent() {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeNB) Sync(_ context.Context, desired *nbrows.State) (nbsync.Stats, error) {
	return f.record(nbCall{full: true, state: *desired})
}

func (f *fakeNB) ApplyDelta(_ context.Context, d *nbrows.Delta) (nbsync.Stats, error) {
	return f.record(nbCall{delta: d})
}

func (f *fakeNB) DifferingAddressSets(context.Context, []nbrows.AddressSet) ([]*nbdb.AddressSet, error) {
	f.audits <- struct{}{}
	return nil, nil
}
func (f *fakeNB) DifferingPortGroups(_ context.Context, want []nbrows.PortGroup, port nbsync.PortUUID,
) ([]*nbdb.PortGroup, error) {
	f.mu.Lock()
	groups := f.groups
	f.mu.Unlock()
	if groups == nil {
		return nil, nil
	}
	return groups(want, port), nil
}
func (f *fakeNB) Cache() *cache.TableCache   { return f.cache }
func (f *fakeNB) Connected() bool            { return true }
func (f *fakeNB) Echo(context.Context) error { return nil }
