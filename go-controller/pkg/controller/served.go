package controller

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/klog/v2"
)

// policyResources are the resources of the policy kinds, by API group version.
var policyResources = map[string]map[string]Kind{
	"policy.networking.k8s.io/v1alpha1": {"adminnetworkpolicies": KindANP, "baselineadminnetworkpolicies": KindBANP},
	"policy.networking.k8s.io/v1beta1":  {"clusternetworkpolicies": KindCNP},
}

// ServedPolicyKinds asks the API server which policy kinds it serves and returns the others, for
// Config.Unserved. A cluster set up from network-policy-api v0.3.0 has only ClusterNetworkPolicy; one
// still on v0.1.7 only AdminNetworkPolicy and BaselineAdminNetworkPolicy; both may be installed.
func ServedPolicyKinds(d discovery.DiscoveryInterface) (unserved map[Kind]bool, err error) {
	unserved = map[Kind]bool{}
	for gv, resources := range policyResources {
		list, err := d.ServerResourcesForGroupVersion(gv)
		if apierrors.IsNotFound(err) {
			for _, k := range resources {
				unserved[k] = true
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		served := map[string]bool{}
		for _, r := range list.APIResources {
			served[r.Name] = true
		}
		for name, k := range resources {
			if !served[name] {
				unserved[k] = true
			}
		}
	}
	return unserved, nil
}

// ErrServedChanged says the cluster started or stopped serving a policy API after the controller
// chose what to watch.
var ErrServedChanged = errors.New("the served policy APIs changed")

// WatchServedPolicyKinds asks discovery every interval which policy kinds are unserved, and returns an
// error wrapping ErrServedChanged when that differs from unserved, so the caller can start again and
// watch the new set (a CRD installed or removed). It returns nil when ctx ends; a failed discovery is
// tried again at the next interval.
func WatchServedPolicyKinds(ctx context.Context, d discovery.DiscoveryInterface, unserved map[Kind]bool,
	interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now, err := ServedPolicyKinds(d)
		if err != nil {
			klog.ErrorS(err, "discovering the served policy APIs; trying again later")
			continue
		}
		if !maps.Equal(now, unserved) {
			return fmt.Errorf("%w: unserved was %v, is %v", ErrServedChanged, unserved, now)
		}
	}
}
