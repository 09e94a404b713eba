package controller

import (
	"context"
	"fmt"
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
// ends. lead's context is cancelled the moment leadership is lost, so a replica that lost the Lease stops
// writing before another can win it (RenewDeadline < LeaseDuration). The caller exits then: a restart
// starts from a clean state, as client-go advises.
func RunLeader(ctx context.Context, kube kubernetes.Interface, le LeaderElection, lead func(context.Context)) error {
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metaFor(le),
		Client:     kube.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: le.Identity},
	}
	elector, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock: lock, LeaseDuration: le.LeaseDuration, RenewDeadline: le.RenewDeadline, RetryPeriod: le.RetryPeriod,
		ReleaseOnCancel: true, Name: le.Name, WatchDog: le.WatchDog,
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(ctx context.Context) {
				klog.InfoS("became leader", "lease", le.Namespace+"/"+le.Name, "identity", le.Identity)
				lead(ctx)
			},
			OnStoppedLeading: func() { klog.InfoS("stopped leading", "identity", le.Identity) },
		},
	})
	if err != nil {
		return fmt.Errorf("leader election: %w", err)
	}
	elector.Run(ctx)
	return nil
}

func metaFor(le LeaderElection) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: le.Namespace, Name: le.Name}
}
