package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/client-go/tools/cache"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// informerSet is the watched caches the worker reads objects from.
type informerSet struct {
	all []*watched

	// anps, banps and cnps are nil when Config.Unserved names their kind: the cluster has no such CRD, and
	// a watch of it would never sync. A policy kind Config.Manage leaves out is nil too.
	namespaces, pods, nodes, netpols, anps, banps, cnps *watched
}

func newInformers(c *Controller) (*informerSet, error) {
	kube, pol, m := c.cfg.Kube, c.cfg.Policy, c.cfg.Metrics
	s := &informerSet{}
	add := func(w *watched) *watched { s.all = append(s.all, w); return w }
	s.namespaces = add(newWatched[*corev1.NamespaceList](KindNamespace, &corev1.Namespace{}, kube.CoreV1().Namespaces(),
		kube, c.queue.add, m))
	s.namespaces.transform = trimNamespace
	s.pods = add(newWatched[*corev1.PodList](KindPod, &corev1.Pod{}, kube.CoreV1().Pods(""), kube, c.queue.add, m))
	// Pods are the bulk of the cache; drop what policy never reads.
	s.pods.transform = trimPod
	s.nodes = add(newWatched[*corev1.NodeList](KindNode, &corev1.Node{}, kube.CoreV1().Nodes(), kube, c.queue.add, m))
	s.nodes.transform = trimNode(c.zoneKey())
	// A policy kind is watched when the cluster serves it and the controller manages it.
	watch := func(kind Kind) bool { return !c.cfg.Unserved[kind] && c.manages(kind) }
	if watch(KindNetworkPolicy) {
		s.netpols = add(newWatched[*networkingv1.NetworkPolicyList](KindNetworkPolicy, &networkingv1.NetworkPolicy{},
			kube.NetworkingV1().NetworkPolicies(""), kube, c.queue.add, m))
	}
	if watch(KindANP) {
		s.anps = add(newWatched[*anpv1alpha1.AdminNetworkPolicyList](KindANP, &anpv1alpha1.AdminNetworkPolicy{},
			pol.PolicyV1alpha1().AdminNetworkPolicies(), pol, c.queue.add, m))
	}
	if watch(KindBANP) {
		s.banps = add(newWatched[*anpv1alpha1.BaselineAdminNetworkPolicyList](KindBANP,
			&anpv1alpha1.BaselineAdminNetworkPolicy{}, pol.PolicyV1alpha1().BaselineAdminNetworkPolicies(), pol,
			c.queue.add, m))
	}
	if watch(KindCNP) {
		s.cnps = add(newWatched[*cnpv1beta1.ClusterNetworkPolicyList](KindCNP, &cnpv1beta1.ClusterNetworkPolicy{},
			pol.PolicyV1beta1().ClusterNetworkPolicies(), pol, c.queue.add, m))
	}
	return s, nil
}

func (s *informerSet) start(ctx context.Context) {
	for _, w := range s.all {
		go w.run(ctx)
	}
}

func (s *informerSet) synced() []cache.InformerSynced {
	var out []cache.InformerSynced
	for _, w := range s.all {
		out = append(out, w.HasSynced)
	}
	return out
}

// stale names the kinds that have had no open watch for longer than watchedStaleAfter, with how long.
func (s *informerSet) stale(now time.Time) []string {
	var out []string
	for _, w := range s.all {
		if d := w.staleFor(now); d > watchedStaleAfter {
			out = append(out, fmt.Sprintf("%s for %v", w.kind, d.Round(100*time.Millisecond)))
		}
	}
	return out
}

// trimPod keeps the fields network policy reads (labels, host network, node, container ports, phase and
// IPs), so 20,000 pods stay cheap to hold.
func trimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	out := &corev1.Pod{TypeMeta: p.TypeMeta}
	out.Name, out.Namespace, out.UID = p.Name, p.Namespace, p.UID
	out.Labels, out.ResourceVersion = p.Labels, p.ResourceVersion
	out.Spec.HostNetwork, out.Spec.NodeName = p.Spec.HostNetwork, p.Spec.NodeName
	for _, c := range p.Spec.Containers {
		if len(c.Ports) > 0 {
			out.Spec.Containers = append(out.Spec.Containers, corev1.Container{Name: c.Name, Ports: c.Ports})
		}
	}
	out.Status.Phase, out.Status.PodIP, out.Status.PodIPs = p.Status.Phase, p.Status.PodIP, p.Status.PodIPs
	return out, nil
}

// trimNamespace keeps what network policy reads of a namespace: its labels and the ACL logging annotation
// of its NetworkPolicies. Managed fields and other annotations are most of a namespace's size.
func trimNamespace(obj any) (any, error) {
	ns, ok := obj.(*corev1.Namespace)
	if !ok {
		return obj, nil
	}
	out := &corev1.Namespace{TypeMeta: ns.TypeMeta}
	out.Name, out.UID, out.ResourceVersion, out.Labels = ns.Name, ns.UID, ns.ResourceVersion, ns.Labels
	out.Annotations = keepAnnotation(ns.Annotations, policy.LoggingAnnotation)
	return out, nil
}

// trimNode keeps what network policy and zone mode read of a node: labels, the zone annotation named
// zoneKey and status.addresses. A node's status (images, conditions) is most of its size.
func trimNode(zoneKey string) func(any) (any, error) {
	return func(obj any) (any, error) {
		n, ok := obj.(*corev1.Node)
		if !ok {
			return obj, nil
		}
		out := &corev1.Node{TypeMeta: n.TypeMeta}
		out.Name, out.UID, out.ResourceVersion, out.Labels = n.Name, n.UID, n.ResourceVersion, n.Labels
		out.Annotations = keepAnnotation(n.Annotations, zoneKey)
		out.Status.Addresses = n.Status.Addresses
		return out, nil
	}
}

func keepAnnotation(annotations map[string]string, key string) map[string]string {
	if v, ok := annotations[key]; ok {
		return map[string]string{key: v}
	}
	return nil
}
