package controller_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	npfake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// These tests drive the worker one batch at a time against fakeNB: no OVN, no timers, no sleeps. The
// real-NB tests of this package are the integration tier.

// stepper is a controller the test steps through its batches.
type stepper struct {
	*env
	c       *controller.Controller
	nb      *fakeNB
	metrics *controller.Metrics
	base    uint64 // committed events not counted by committedEvents
}

// newStepper starts the informers of a controller on fake clientsets holding snap and on a fakeNB.
func newStepper(t *testing.T, snap *cluster.Snapshot, opts ...func(*controller.Config)) *stepper {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	kube, policy := fakeClientsets(snap)
	watches := watchesOf(kube, policy)
	s := &stepper{env: &env{t: t, ctx: ctx, kube: kube, policy: policy, snap: snap}, nb: newFakeNB(t, snap),
		metrics: controller.NewMetrics(nil)}
	var err error
	cfg := controller.Config{Kube: kube, Policy: policy, NB: s.nb, Metrics: s.metrics,
		Recorder: record.NewFakeRecorder(1000)}
	for _, o := range opts {
		o(&cfg)
	}
	s.c, err = controller.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// A fake clientset drops the events of a change made before its watch is open; the informers' caches
	// are synced when their lists are, which comes first.
	for _, resource := range []string{"pods", "networkpolicies", "adminnetworkpolicies"} {
		select {
		case <-watches(resource):
		case <-ctx.Done():
			t.Fatalf("no watch of %s opened", resource)
		}
	}
	return s
}

// watchesOf makes the fake clientsets report the watches opened on them: the channel of a resource is
// closed once its first watch is open.
func watchesOf(kube *kubefake.Clientset, policy *npfake.Clientset) func(resource string) <-chan struct{} {
	var mu sync.Mutex
	opened := map[string]chan struct{}{}
	ch := func(resource string) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if opened[resource] == nil {
			opened[resource] = make(chan struct{})
		}
		return opened[resource]
	}
	for _, c := range []interface {
		PrependWatchReactor(string, k8stesting.WatchReactionFunc)
		Tracker() k8stesting.ObjectTracker
	}{kube, policy} {
		c.PrependWatchReactor("*", func(a k8stesting.Action) (bool, watch.Interface, error) {
			var opts metav1.ListOptions
			if w, ok := a.(k8stesting.WatchActionImpl); ok {
				opts = w.ListOptions
			}
			w, err := c.Tracker().Watch(a.GetResource(), a.GetNamespace(), opts)
			if err != nil {
				return true, nil, err
			}
			done := ch(a.GetResource().Resource)
			mu.Lock()
			select {
			case <-done:
			default:
				close(done)
			}
			mu.Unlock()
			return true, w, nil
		})
	}
	return func(resource string) <-chan struct{} { return ch(resource) }
}

// step runs one batch and checks its error against want (nil: it must succeed).
func (s *stepper) step(want error) {
	s.t.Helper()
	if err := s.c.Step(s.ctx); !errors.Is(err, want) || (want == nil) != (err == nil) {
		s.t.Fatalf("batch: err = %v, want %v", err, want)
	}
}

// waitPodLabels waits until the controller's informer holds the pod with those labels.
func (s *stepper) waitPodLabels(ns, name string, labels map[string]string) {
	s.t.Helper()
	err := s.c.WaitQueued(s.ctx, func() bool {
		p, ok := s.c.CachedPod(ns, name)
		return ok && maps.Equal(p.Labels, labels)
	})
	if err != nil {
		s.t.Fatalf("pod %s/%s never has labels %v: %v", ns, name, labels, err)
	}
}

// modes lists the writes that sent a transaction so far.
func (s *stepper) modes() string { return fmt.Sprint(s.nb.sentCalls()) }

func (s *stepper) wantModes(what, want string) {
	s.t.Helper()
	if got := s.modes(); got != want {
		s.t.Fatalf("%s: writes %s, want %s", what, got, want)
	}
}

// withGuard is world() with an ANP whose subject is a's web pods.
func withGuard() *cluster.Snapshot {
	snap := world()
	snap.ANPs = append(snap.ANPs,
		testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
			testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	return snap
}

// waitKeys waits until every key is queued.
func (s *stepper) waitKeys(keys ...controller.Key) {
	s.t.Helper()
	err := s.c.WaitQueued(s.ctx, func() bool {
		q := s.c.Queued()
		for _, k := range keys {
			if !slices.Contains(q, k) {
				return false
			}
		}
		return true
	})
	if err != nil {
		s.t.Fatalf("keys %v never queued: %v", keys, err)
	}
}

// Many events on many objects between two batches become one batch and one transaction, which writes
// their last state.
func TestStepCoalescesEvents(t *testing.T) {
	s := newStepper(t, withGuard())
	s.step(nil)
	s.wantModes("the first batch", "[full]")

	web, db := s.snap.Pods[0], s.snap.Pods[1]
	for _, app := range []string{"x", "web", "y"} {
		s.put(testobj.Copy(web, testobj.Relabel("app", app)), testobj.Copy(db, testobj.Relabel("app", app)))
	}
	s.waitPodLabels("a", "web", map[string]string{"app": "y"})
	s.waitPodLabels("a", "db", map[string]string{"app": "y"})
	s.step(nil)
	s.step(nil) // an event whose handler ran late is a batch of its own, with nothing left to move
	s.wantModes("six pod events", "[full delta]")
	d := s.nb.sentCalls()[1].delta
	pg := d.PortGroups
	var moved []string
	for _, ch := range pg {
		for port := range ch.Remove {
			moved = append(moved, "-"+port)
		}
		for port := range ch.Add {
			moved = append(moved, "+"+port)
		}
	}
	if fmt.Sprint(moved) != "[-a_web]" {
		t.Errorf("port group moves %v, want web out of guard's subject only (db never joined at last)", moved)
	}
	if q := s.c.Queued(); len(q) != 0 {
		t.Errorf("keys left after the batches: %v", q)
	}
}

// A failed write leaves the controller not ready and is retried whole: the next batch writes the whole
// state, with the change the failed one carried.
func TestStepRetriesFailedWriteWhole(t *testing.T) {
	s := newStepper(t, withGuard())
	s.step(nil)
	s.nb.failNext(errInjected)
	s.put(testobj.Copy(s.snap.Pods[1], testobj.Relabel("app", "web")))
	s.waitPodLabels("a", "db", map[string]string{"app": "web"})
	s.step(errInjected)
	if err := s.c.Ready(); err == nil {
		t.Error("ready after a failed write")
	}
	s.step(nil) // the retry: nothing new queued
	s.wantModes("a failed delta and its retry", "[full delta (failed) full]")
	if err := s.c.Ready(); err != nil {
		t.Errorf("not ready after the retry: %v", err)
	}
	full := s.nb.sentCalls()[2].state
	for _, pg := range full.PortGroups {
		if pg.ExternalIDs["tieracl.io/owner-name"] == "guard" &&
			fmt.Sprint(slices.Sorted(slices.Values(pg.Ports))) != "[a_db a_web]" {
			t.Errorf("the retry writes guard's subject as %v, want both pods", pg.Ports)
		}
	}
	if n := testutil.ToFloat64(s.metrics.Errors.WithLabelValues("nb-write")); n != 1 {
		t.Errorf("%v NB write errors counted, want 1", n)
	}
}

// NB that may differ from what the controller wrote last (a row missing under a delta, a resync) is
// written whole next time, and then member moves are deltas again.
func TestStepDirtyNBIsWrittenWhole(t *testing.T) {
	s := newStepper(t, withGuard())
	s.step(nil)
	s.nb.failNext(fmt.Errorf("port group pg: %w", nbsync.ErrRowMissing))
	s.put(testobj.Copy(s.snap.Pods[1], testobj.Relabel("app", "web")))
	s.waitPodLabels("a", "db", map[string]string{"app": "web"})
	s.step(nbsync.ErrRowMissing)
	s.step(nil)
	s.put(testobj.Copy(s.snap.Pods[1], testobj.Relabel("app", "db")))
	s.waitPodLabels("a", "db", map[string]string{"app": "db"})
	s.step(nil)
	s.wantModes("a delta on a missing row", "[full delta (failed) full delta]")
}

// Status is written after a successful write only, and not again when nothing about it changed.
func TestStepStatusFollowsWrites(t *testing.T) {
	s := newStepper(t, withGuard())
	s.nb.failNext(errInjected)
	s.step(errInjected)
	if err := s.anpCondition("guard", metav1.ConditionTrue, controller.ReasonProgrammed); err == nil {
		t.Fatal("Programmed before anything reached NB")
	}
	if n := testutil.ToFloat64(s.metrics.StatusWrites); n != 0 {
		t.Fatalf("%v status writes after a failed NB write, want 0", n)
	}
	s.step(nil)
	if err := s.anpCondition("guard", metav1.ConditionTrue, controller.ReasonProgrammed); err != nil {
		t.Fatal(err)
	}
	if n := testutil.ToFloat64(s.metrics.StatusWrites); n != 1 {
		t.Fatalf("%v status writes after the NB write, want 1", n)
	}
	// A member move, a new translation (a NetworkPolicy) and resyncs leave guard's condition as it is.
	s.put(testobj.Copy(s.snap.Pods[2], testobj.Relabel("app", "moved")),
		testobj.NetworkPolicy("b", "np", testobj.Sel(), testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "client")))))
	s.waitKeys(controller.Key{Kind: controller.KindPod, Namespace: "b", Name: "client"},
		controller.Key{Kind: controller.KindNetworkPolicy, Namespace: "b", Name: "np"})
	s.waitPodLabels("b", "client", map[string]string{"app": "moved"})
	s.step(nil)
	for range 3 {
		s.c.Resync()
		s.step(nil)
	}
	if n := testutil.ToFloat64(s.metrics.StatusWrites); n != 1 {
		t.Errorf("%v status writes across changes that leave every condition as it is, want 1", n)
	}
	s.wantModes("a new translation and three resyncs", "[full (failed) full full full full full]")
}
