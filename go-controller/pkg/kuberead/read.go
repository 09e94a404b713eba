// Package kuberead reads the objects network policy needs from a live API server into a
// cluster.Snapshot, finding the cluster as kubectl does: --kubeconfig, else $KUBECONFIG, else
// ~/.kube/config, else the in-cluster service account.
package kuberead

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	npclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// Config finds the cluster: kubeconfig and kubeContext may be empty for kubectl's defaults.
func Config(kubeconfig, kubeContext string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules,
		&clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("find the cluster: %w", err)
	}
	return cfg, nil
}

// Read lists Namespaces, Pods, Nodes, NetworkPolicies, AdminNetworkPolicies,
// BaselineAdminNetworkPolicies and ClusterNetworkPolicies (v1beta1) from the cluster cfg names.
func Read(ctx context.Context, cfg *rest.Config, warn func(string)) (*cluster.Snapshot, error) {
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	policy, err := npclient.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return ReadWith(ctx, kube, policy, warn)
}

// ReadWith is Read with clients. A policy kind the server does not serve (its CRD is not installed) is
// read as none when warn is set, which says so; with warn nil it is an error.
func ReadWith(ctx context.Context, kube kubernetes.Interface, policy npclient.Interface, warn func(string)) (
	*cluster.Snapshot, error) {
	all := metav1.ListOptions{}
	s := &cluster.Snapshot{}
	namespaces, err := kube.CoreV1().Namespaces().List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	for i := range namespaces.Items {
		s.Namespaces = append(s.Namespaces, &namespaces.Items[i])
	}
	pods, err := kube.CoreV1().Pods("").List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list pods: %w", err)
	}
	for i := range pods.Items {
		s.Pods = append(s.Pods, &pods.Items[i])
	}
	nodes, err := kube.CoreV1().Nodes().List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	for i := range nodes.Items {
		s.Nodes = append(s.Nodes, &nodes.Items[i])
	}
	nps, err := kube.NetworkingV1().NetworkPolicies("").List(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("list networkpolicies: %w", err)
	}
	for i := range nps.Items {
		s.NetworkPolicies = append(s.NetworkPolicies, &nps.Items[i])
	}
	anps, err := policy.PolicyV1alpha1().AdminNetworkPolicies().List(ctx, all)
	if err := optional(err, "AdminNetworkPolicy", warn); err != nil {
		return nil, err
	}
	if anps != nil {
		for i := range anps.Items {
			s.ANPs = append(s.ANPs, &anps.Items[i])
		}
	}
	banps, err := policy.PolicyV1alpha1().BaselineAdminNetworkPolicies().List(ctx, all)
	if err := optional(err, "BaselineAdminNetworkPolicy", warn); err != nil {
		return nil, err
	}
	if banps != nil {
		for i := range banps.Items {
			s.BANPs = append(s.BANPs, &banps.Items[i])
		}
	}
	cnps, err := policy.PolicyV1beta1().ClusterNetworkPolicies().List(ctx, all)
	if err := optional(err, "ClusterNetworkPolicy", warn); err != nil {
		return nil, err
	}
	if cnps != nil {
		for i := range cnps.Items {
			s.CNPs = append(s.CNPs, &cnps.Items[i])
		}
	}
	return s, nil
}

// optional passes a list error on, except that the server not serving the kind at all means none.
func optional(err error, kind string, warn func(string)) error {
	switch {
	case err == nil:
		return nil
	case apierrors.IsNotFound(err) && warn != nil:
		warn(fmt.Sprintf("the API server does not serve %s (is its CRD installed?): none read", kind))
		return nil
	}
	return fmt.Errorf("list %s: %w", kind, err)
}
