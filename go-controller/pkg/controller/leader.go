package controller

import (
	"context"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/klog/v2"
)

// LeaderElection configures the Lease that makes one replica the only writer.
type LeaderElection struct {
	Namespace, Name string // the Lease
	Identity        string // this replica, e.g. its pod name
	LeaseDuration   time.Duration
	RenewDeadline   time.Duration
	RetryPeriod     time.Duration
	// WatchDog, when set, fails the replica's health check if it holds the Lease but stopped renewing it.
	WatchDog *leaderelection.HealthzAdaptor
}

// RunLeader runs lead while this replica holds the Lease and returns when it stops holding it or ctx
// ends, once lead has returned. lead's context is canceled the moment leadership is lost, so a replica
// that lost the Lease stops writing before another can win it (RenewDeadline < LeaseDuration); when ctx
// ends, the Lease is released only after lead has returned. The caller exits then: a restart starts from
// a clean state, as client-go advises.
func RunLeader(ctx context.Context, kube kubernetes.Interface, le LeaderElection, lead func(context.Context)) error {
	// The elector releases the Lease as soon as its context ends (ReleaseOnCancel), without waiting for
	// lead: give it a context of its own that ends only once lead has returned.
	electCtx, stopElecting := context.WithCancel(context.WithoutCancel(ctx))
	defer stopElecting()
	g := &leadGuard{done: make(chan struct{})}
	go func() {
		select {
		case <-ctx.Done():
			g.stop()
			stopElecting()
		case <-electCtx.Done():
		}
	}()
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metaFor(le),
		Client:     kube.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: le.Identity},
	}
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock: lock, LeaseDuration: le.LeaseDuration, RenewDeadline: le.RenewDeadline, RetryPeriod: le.RetryPeriod,
		ReleaseOnCancel: true, Name: le.Name, WatchDog: le.WatchDog,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(leaderCtx context.Context) {
				if !g.start() {
					return // ctx ended while the Lease was being won
				}
				defer close(g.done)
				leaderCtx, cancel := context.WithCancel(leaderCtx)
				defer cancel()
				defer context.AfterFunc(ctx, cancel)()
				klog.InfoS("became leader", "lease", le.Namespace+"/"+le.Name, "identity", le.Identity)
				lead(leaderCtx)
			},
			OnStoppedLeading: func() { klog.InfoS("stopped leading", "identity", le.Identity) },
		},
	})
	if err != nil {
		return fmt.Errorf("leader election: %w", err)
	}
	elector.Run(electCtx)
	g.stop() // leadership lost: lead's context is canceled; let it finish before the caller exits
	return nil
}

// leadGuard lets RunLeader wait for lead, which the elector starts in a goroutine of its own.
type leadGuard struct {
	mu       sync.Mutex
	started  bool
	stopping bool
	done     chan struct{} // closed when a started lead returns
}

// start reports whether lead may run: not once stop was called.
func (g *leadGuard) start() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopping {
		return false
	}
	g.started = true
	return true
}

// stop keeps lead from starting and waits until a started lead has returned.
func (g *leadGuard) stop() {
	g.mu.Lock()
	g.stopping = true
	started := g.started
	g.mu.Unlock()
	if started {
		<-g.done
	}
}

func metaFor(le LeaderElection) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: le.Namespace, Name: le.Name}
}
