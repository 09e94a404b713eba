// Package cluster holds the input of the translation: a snapshot of the Kubernetes objects that network
// policy reads, and the label-selector queries over them. It does no I/O.
package cluster

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// Snapshot is everything the translator reads, as plain API objects. The translator never mutates it.
type Snapshot struct {
	Namespaces      []*corev1.Namespace
	Pods            []*corev1.Pod
	Nodes           []*corev1.Node
	NetworkPolicies []*networkingv1.NetworkPolicy
	ANPs            []*anpv1alpha1.AdminNetworkPolicy
	BANPs           []*anpv1alpha1.BaselineAdminNetworkPolicy
	// CNPs are ClusterNetworkPolicies in their storage version, v1beta1; v1alpha2 objects, which have the
	// same schema, are converted on the way in.
	CNPs []*cnpv1beta1.ClusterNetworkPolicy
}
