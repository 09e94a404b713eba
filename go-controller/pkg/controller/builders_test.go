package controller_test

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// world is the cluster most tests start from; tests put their policies in with env.put.
//
//	a (team=a): web (app=web) 10.0.0.1, db (app=db) 10.0.0.2
//	b (team=b): client (app=client) 10.0.0.3
//	c (team=c): other (app=web) 10.0.0.4
func world() *cluster.Snapshot {
	return &cluster.Snapshot{
		Namespaces: []*corev1.Namespace{namespace("a", "team=a"), namespace("b", "team=b"), namespace("c", "team=c")},
		Pods: []*corev1.Pod{pod("a", "web", 1, "app=web"), pod("a", "db", 2, "app=db"),
			pod("b", "client", 3, "app=client"), pod("c", "other", 4, "app=web")},
	}
}

// labelsOf turns "k=v" pairs into a label map.
func labelsOf(pairs ...string) map[string]string {
	m := map[string]string{}
	for _, kv := range pairs {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// sel is a matchLabels selector from "k=v" pairs; sel() selects everything.
func sel(pairs ...string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: labelsOf(pairs...)}
}

func namespace(name string, lbls ...string) *corev1.Namespace {
	l := labelsOf(lbls...)
	l[corev1.LabelMetadataName] = name
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: l}}
}

// pod makes a running pod with IP 10.0.0.<n>.
func pod(ns, name string, n int, lbls ...string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labelsOf(lbls...)},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: fmt.Sprintf("10.0.0.%d", n)}}},
	}
}

// relabeledPod and relabeledNS return a copy with the labels replaced ("k=v" pairs).
func relabeledPod(p *corev1.Pod, lbls ...string) *corev1.Pod {
	c := p.DeepCopy()
	c.Labels = labelsOf(lbls...)
	return c
}

func relabeledNS(ns *corev1.Namespace, lbls ...string) *corev1.Namespace {
	c := ns.DeepCopy()
	c.Labels = namespace(c.Name, lbls...).Labels
	return c
}

func podsIn(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicySubject {
	return anpv1alpha1.AdminNetworkPolicySubject{Pods: &anpv1alpha1.NamespacedPod{NamespaceSelector: *ns,
		PodSelector: *pods}}
}

func fromPods(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyIngressPeer {
	return anpv1alpha1.AdminNetworkPolicyIngressPeer{Pods: &anpv1alpha1.NamespacedPod{NamespaceSelector: *ns,
		PodSelector: *pods}}
}

func toPods(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Pods: &anpv1alpha1.NamespacedPod{NamespaceSelector: *ns,
		PodSelector: *pods}}
}

const (
	allow = anpv1alpha1.AdminNetworkPolicyRuleActionAllow
	deny  = anpv1alpha1.AdminNetworkPolicyRuleActionDeny
	pass  = anpv1alpha1.AdminNetworkPolicyRuleActionPass
)

func ingress(action anpv1alpha1.AdminNetworkPolicyRuleAction,
	from ...anpv1alpha1.AdminNetworkPolicyIngressPeer) anpv1alpha1.AdminNetworkPolicyIngressRule {
	return anpv1alpha1.AdminNetworkPolicyIngressRule{Action: action, From: from}
}

func egress(action anpv1alpha1.AdminNetworkPolicyRuleAction,
	to ...anpv1alpha1.AdminNetworkPolicyEgressPeer) anpv1alpha1.AdminNetworkPolicyEgressRule {
	return anpv1alpha1.AdminNetworkPolicyEgressRule{Action: action, To: to}
}

// anp makes an ANP; rules are AdminNetworkPolicyIngressRule or AdminNetworkPolicyEgressRule values.
func anp(name string, priority int32, subject anpv1alpha1.AdminNetworkPolicySubject,
	rules ...any) *anpv1alpha1.AdminNetworkPolicy {
	a := &anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: anpv1alpha1.AdminNetworkPolicySpec{Priority: priority, Subject: subject}}
	for _, r := range rules {
		switch r := r.(type) {
		case anpv1alpha1.AdminNetworkPolicyIngressRule:
			a.Spec.Ingress = append(a.Spec.Ingress, r)
		case anpv1alpha1.AdminNetworkPolicyEgressRule:
			a.Spec.Egress = append(a.Spec.Egress, r)
		default:
			panic(fmt.Sprintf("anp: unexpected rule %T", r))
		}
	}
	return a
}

// banp makes the BANP "default" with ingress rules of one action from the given peers.
func banp(subject anpv1alpha1.AdminNetworkPolicySubject, action anpv1alpha1.BaselineAdminNetworkPolicyRuleAction,
	from ...anpv1alpha1.AdminNetworkPolicyIngressPeer) *anpv1alpha1.BaselineAdminNetworkPolicy {
	return &anpv1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: anpv1alpha1.BaselineAdminNetworkPolicySpec{Subject: subject,
			Ingress: []anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{{Action: action, From: from}}}}
}

// netpol makes an ingress NetworkPolicy for the pods podSel selects, allowing from pods of the same
// namespace that from selects (none: isolation only).
func netpol(ns, name string, podSel *metav1.LabelSelector, from ...*metav1.LabelSelector) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: *podSel,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}}}
	if len(from) > 0 {
		rule := networkingv1.NetworkPolicyIngressRule{}
		for _, f := range from {
			rule.From = append(rule.From, networkingv1.NetworkPolicyPeer{PodSelector: f})
		}
		np.Spec.Ingress = append(np.Spec.Ingress, rule)
	}
	return np
}

// annotated sets an annotation on a fresh object and returns it.
func annotated[T metav1.Object](obj T, key, value string) T {
	a := map[string]string{}
	for k, v := range obj.GetAnnotations() {
		a[k] = v
	}
	a[key] = value
	obj.SetAnnotations(a)
	return obj
}
