package controller_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubefake "k8s.io/client-go/kubernetes/fake"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// replica is one controller process that runs its controller only while it holds the Lease.
type replica struct {
	id      string
	r       *running
	leading atomic.Bool  // inside lead
	leads   atomic.Int32 // times lead was called
	cancel  context.CancelFunc
	done    chan struct{}
}

func leaseFor(id string) controller.LeaderElection {
	return controller.LeaderElection{Namespace: "tieracl", Name: "tieracl-controller", Identity: id,
		LeaseDuration: 2 * time.Second, RenewDeadline: 1500 * time.Millisecond, RetryPeriod: 200 * time.Millisecond}
}

// runReplica runs lead under controller.RunLeader until cancel; leading is set while lead runs.
func runReplica(t *testing.T, ctx context.Context, kube *kubefake.Clientset, id string,
	lead func(context.Context)) *replica {
	ctx, cancel := context.WithCancel(ctx)
	rep := &replica{id: id, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(rep.done)
		err := controller.RunLeader(ctx, kube, leaseFor(id), func(ctx context.Context) {
			rep.leads.Add(1)
			rep.leading.Store(true)
			defer rep.leading.Store(false)
			lead(ctx)
		})
		if err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}()
	t.Cleanup(func() { cancel(); <-rep.done })
	return rep
}

// watchOverlap samples the replicas' leading flags every millisecond until the test ends and counts the
// samples in which more than one was leading.
func watchOverlap(t *testing.T, reps ...*replica) *atomic.Int64 {
	var overlaps atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			n := 0
			for _, r := range reps {
				if r.leading.Load() {
					n++
				}
			}
			if n > 1 {
				overlaps.Add(1)
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return &overlaps
}

// Two controllers under leader election: only the leader runs and writes; when it stops, the other takes
// over and programs what changed after the hand-over, and they never lead at the same time.
func TestLeaderElectionHasOneWriter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.putPolicies()
	var reps []*replica
	for _, id := range []string{"one", "two"} {
		r := e.newRunning()
		t.Cleanup(r.nb.Close)
		rep := runReplica(t, e.ctx, e.kube, id, func(ctx context.Context) {
			if err := r.c.Run(ctx); err != nil {
				t.Errorf("%s: %v", id, err)
			}
		})
		rep.r = r
		reps = append(reps, rep)
	}
	overlaps := watchOverlap(t, reps...)

	var leader, follower *replica
	e.eventually("one replica leads", func() error {
		for i, rep := range reps {
			if rep.leading.Load() {
				leader, follower = rep, reps[1-i]
				return nil
			}
		}
		return fmt.Errorf("no leader")
	})
	e.waitReady(leader.r)
	e.synced()
	e.waitRenewals(2) // the follower had its chances to take the Lease
	if follower.leads.Load() != 0 || follower.r.c.Ready() == nil {
		t.Fatalf("%s leads too", follower.id)
	}
	for kind, n := range ops(follower.r.metrics) {
		if n != 0 {
			t.Errorf("the follower %s wrote %v %s operations", follower.id, n, kind)
		}
	}
	if n := testutil.ToFloat64(follower.r.metrics.StatusWrites); n != 0 {
		t.Errorf("the follower %s wrote %v status updates", follower.id, n)
	}

	leader.cancel() // releases the Lease
	<-leader.done
	leaderOps := ops(leader.r.metrics)
	e.eventually("the follower takes over", func() error {
		if !follower.leading.Load() {
			return fmt.Errorf("%s does not lead", follower.id)
		}
		return follower.r.c.Ready()
	})
	e.put(testobj.ANP("after", 40, testobj.SubjectPods(testobj.Sel("team", "b"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "c"), testobj.Sel()))))
	e.synced()
	e.eventually("the new leader wrote the change", func() error {
		if n := ops(follower.r.metrics)["create"]; n == 0 {
			return fmt.Errorf("%s created nothing", follower.id)
		}
		return nil
	})
	if now := ops(leader.r.metrics); fmt.Sprint(now) != fmt.Sprint(leaderOps) {
		t.Errorf("the old leader wrote after it stopped: %v -> %v", leaderOps, now)
	}
	if leader.leads.Load() != 1 || follower.leads.Load() != 1 {
		t.Errorf("leads: %s %d, %s %d; want one each", leader.id, leader.leads.Load(), follower.id, follower.leads.Load())
	}
	if n := overlaps.Load(); n != 0 {
		t.Errorf("both replicas led in %d samples", n)
	}
}

// RunLeader gives the Lease up only once lead has returned: a leader still finishing its last write
// when it is stopped must not overlap with the next one.
func TestRunLeaderReleasesTheLeaseAfterLeadReturns(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	kube := kubefake.NewClientset()
	finishing := func(ctx context.Context) {
		<-ctx.Done()
		time.Sleep(700 * time.Millisecond) // the last write, after the context ended
	}
	one := runReplica(t, ctx, kube, "one", finishing)
	waitFor(t, "one leads", one.leading.Load)
	two := runReplica(t, ctx, kube, "two", finishing)
	overlaps := watchOverlap(t, one, two)
	time.Sleep(500 * time.Millisecond)
	one.cancel()
	waitFor(t, "two takes over", two.leading.Load)
	<-one.done
	if n := overlaps.Load(); n != 0 {
		t.Errorf("both replicas led in %d samples", n)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, waitTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitRenewals waits until the leader has renewed the Lease n times more.
func (e *env) waitRenewals(n int) {
	e.t.Helper()
	renewed := func() (metav1.MicroTime, error) {
		l, err := e.kube.CoordinationV1().Leases("tieracl").Get(e.ctx, "tieracl-controller", metav1.GetOptions{})
		if err != nil {
			return metav1.MicroTime{}, err
		}
		if l.Spec.RenewTime == nil {
			return metav1.MicroTime{}, fmt.Errorf("the Lease has no renew time")
		}
		return *l.Spec.RenewTime, nil
	}
	last, err := renewed()
	if err != nil {
		e.t.Fatal(err)
	}
	for i := range n {
		e.eventually(fmt.Sprintf("renewal %d of the Lease", i+1), func() error {
			now, err := renewed()
			if err == nil && !now.After(last.Time) {
				err = fmt.Errorf("not renewed since %v", last)
			}
			if err == nil {
				last = now
			}
			return err
		})
	}
}
