package controller_test

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	k8stesting "k8s.io/client-go/testing"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// fakeAPI is what the two fake clientsets offer to stand in for an API server that goes away.
type fakeAPI interface {
	PrependReactor(verb, resource string, reaction k8stesting.ReactionFunc)
	PrependWatchReactor(resource string, reaction k8stesting.WatchReactionFunc)
	Tracker() k8stesting.ObjectTracker
}

// apiOutage makes the fake clientsets act as a restarting API server: while it is down every request
// fails with "connection refused" and the open watches end; once it is back, the first watch of each
// resource gets 410 Gone ("too old resource version"), as from a new server's empty watch cache.
type apiOutage struct {
	mu      sync.Mutex
	down    bool
	watches []watch.Interface
	expired map[string]bool          // resources whose first watch since the return got 410 already
	gone    map[string]time.Time     // when a resource's watch got 410, until it is listed again
	relist  map[string]time.Duration // how long after its 410 each resource was listed again
}

var errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}

func newAPIOutage(clients ...fakeAPI) *apiOutage {
	o := &apiOutage{expired: map[string]bool{}, gone: map[string]time.Time{}, relist: map[string]time.Duration{}}
	for _, c := range clients {
		c.PrependReactor("*", "*", func(a k8stesting.Action) (bool, runtime.Object, error) {
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.down {
				return true, nil, errRefused
			}
			res := a.GetResource().String()
			if at, ok := o.gone[res]; ok && a.GetVerb() == "list" {
				o.relist[res] = time.Since(at)
				delete(o.gone, res)
			}
			return false, nil, nil
		})
		c.PrependWatchReactor("*", func(a k8stesting.Action) (bool, watch.Interface, error) {
			o.mu.Lock()
			defer o.mu.Unlock()
			res := a.GetResource().String()
			switch {
			case o.down:
				return true, nil, errRefused
			case o.expired[res]:
				delete(o.expired, res)
				o.gone[res] = time.Now()
				return true, nil, apierrors.NewResourceExpired("too old resource version")
			}
			w, err := c.Tracker().Watch(a.GetResource(), a.GetNamespace())
			if err == nil {
				o.watches = append(o.watches, w)
			}
			return true, w, err
		})
	}
	return o
}

// relistAfter is how long after its watch got 410 Gone the resource was listed again; false if not yet.
func (o *apiOutage) relistAfter(resource string) (time.Duration, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.relist[resource]
	return d, ok
}

// begin takes the API server away and ends every open watch.
func (o *apiOutage) begin() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = true
	for _, w := range o.watches {
		w.Stop()
	}
	o.watches = nil
}

// end brings the API server back, with a watch cache that knows no old resource version.
func (o *apiOutage) end(resources ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.down = false
	for _, r := range resources {
		o.expired[r] = true
	}
}

// After the API server was away for 5 s, a change written once it is back is programmed within 5 s,
// although the watches it comes back with fail (410 Gone) and the caches must list again; while the
// watches are down the controller says it is not ready, and the stale metric says which kinds.
func TestAPIOutageStaleness(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	outage := newAPIOutage(e.kube, e.policy)
	r := e.start()
	e.synced()

	outage.begin()
	e.eventually("not ready while the API watches are down", func() error {
		err := r.c.Ready()
		if err == nil || !strings.Contains(err.Error(), "stale") {
			return fmt.Errorf("Ready() = %v, want an error that names stale caches", err)
		}
		return nil
	})
	if v := testutil.ToFloat64(r.metrics.InformerStale.WithLabelValues("Pod")); v != 1 {
		t.Errorf("tieracl_informer_stale{kind=Pod} = %v during the outage, want 1", v)
	}
	time.Sleep(5 * time.Second) // the outage itself: the reflectors' backoff grows through it
	const pods = "/v1, Resource=pods"
	outage.end(pods, "policy.networking.k8s.io/v1alpha1, Resource=adminnetworkpolicies")
	back := time.Now()
	// The first change is written as the API server returns, the second once the first is programmed:
	// by then the caches have listed again, and the watch that follows is the one that gets 410 Gone.
	const target = 5 * time.Second
	for i, change := range []runtime.Object{testobj.Copy(e.snap.Pods[0], testobj.Relabel("app", "moved")),
		pod("b", "new", 7, testobj.Labels("app", "client"))} {
		e.put(change)
		for {
			err := e.nbHolds(e.snap)
			if err == nil {
				break
			}
			if time.Since(back) > target {
				t.Fatalf("change %d, written after the API server came back, is not programmed within %v of it: %v",
					i+1, target, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("change %d programmed %v after the API server came back", i+1, time.Since(back).Round(time.Millisecond))
	}
	e.eventually("ready again", r.c.Ready)
	// The list a 410 calls for comes after the first backoff step, not one grown while the server was away
	// (TestRelistBackoff proves the choice; client-go's own backoff had grown to 30 s). The bound here is
	// loose, so that a loaded machine's scheduling does not fail it.
	if d, ok := outage.relistAfter(pods); !ok || d > 3*time.Second {
		t.Errorf("pods listed again %v after their watch got 410 Gone (listed: %v), want within 3 s", d, ok)
	} else {
		t.Logf("pods listed again %v after their watch got 410 Gone", d.Round(time.Millisecond))
	}
	if v := testutil.ToFloat64(r.metrics.InformerStale.WithLabelValues("Pod")); v != 0 {
		t.Errorf("tieracl_informer_stale{kind=Pod} = %v after the outage, want 0", v)
	}
	if err := r.c.Ready(); err != nil {
		t.Fatal(errors.Join(errors.New("not ready after the outage"), err))
	}
}
