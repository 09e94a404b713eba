package main

import (
	"context"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	npclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
)

// zoneLease is the Lease name of a zone's instances: the zone's name added to --leader-election-id, so
// that the instances of one zone elect one writer while every zone has its own.
func zoneLease(lease, zone string) string { return lease + "-" + zone }

// foldLease is the Lease name of the one folder of zone reports among all zones' instances. A dot, not a
// dash, follows the id, so that no zone's Lease can have this name.
func foldLease(lease string) string { return lease + ".status" }

// runFolder campaigns for the fold Lease until ctx ends, and while it holds it folds the zones' reports
// into the policies' conditions. A folder that loses the Lease campaigns again with a fresh one: it
// holds nothing the next one cannot read back from the API.
func runFolder(ctx context.Context, o *options, lease string, kube kubernetes.Interface, policy npclient.Interface,
	manage map[controller.Kind]bool, metrics *controller.Metrics) {
	fold := func(ctx context.Context) error {
		unserved, err := controller.ServedPolicyKinds(kube.Discovery())
		if err != nil {
			return err
		}
		f, err := controller.NewFolder(controller.FolderConfig{Kube: kube, Policy: policy, Namespace: o.leaseNS,
			LeasePrefix: lease, LeaseDuration: o.leaseDuration, Grace: o.zoneGrace, Unserved: unserved,
			Manage: manage, Metrics: metrics})
		if err != nil {
			return err
		}
		return f.Run(ctx)
	}
	// Every zone's instances are candidates, so each try is one GET per instance: try, and renew, five
	// times less often than the zone Leases, and give the Lease twice their time. A folder that fails
	// over late delays only the status, never enforcement.
	le := controller.LeaderElection{Namespace: o.leaseNS, Name: foldLease(lease), Identity: o.identity,
		LeaseDuration: 2 * o.leaseDuration, RenewDeadline: 2 * o.renewDeadline, RetryPeriod: 5 * o.retryPeriod}
	for ctx.Err() == nil {
		err := controller.RunLeader(ctx, kube, le, func(ctx context.Context) {
			if err := fold(ctx); err != nil {
				klog.ErrorS(err, "zone report folder stopped")
			}
		})
		if err != nil {
			klog.ErrorS(err, "zone report folder: leader election")
		}
		select {
		case <-ctx.Done():
		case <-time.After(le.RetryPeriod):
		}
	}
}
