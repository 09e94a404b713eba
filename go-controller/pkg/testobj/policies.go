package testobj

import (
	"strconv"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// Tweaks of the policy kinds. Each Fn type turns a plain function into a tweak, for what the helpers
// below do not cover.
type (
	// ANPFn changes an AdminNetworkPolicy.
	ANPFn func(*anpv1alpha1.AdminNetworkPolicy)
	// BANPFn changes a BaselineAdminNetworkPolicy.
	BANPFn func(*anpv1alpha1.BaselineAdminNetworkPolicy)
	// CNPFn changes a ClusterNetworkPolicy.
	CNPFn func(*cnpv1beta1.ClusterNetworkPolicy)
	// NetworkPolicyFn changes a NetworkPolicy.
	NetworkPolicyFn func(*networkingv1.NetworkPolicy)
)

// ANP makes an AdminNetworkPolicy with no rules; ANPIngress and ANPEgress add them in order.
func ANP(name string, priority int32, subject anpv1alpha1.AdminNetworkPolicySubject,
	tweaks ...ANPFn) *anpv1alpha1.AdminNetworkPolicy {
	p := &anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: anpv1alpha1.AdminNetworkPolicySpec{Priority: priority, Subject: subject}}
	for _, t := range tweaks {
		t(p)
	}
	return p
}

// ANPIngress adds an ingress rule named after its index ("in-0", ...).
func ANPIngress(action anpv1alpha1.AdminNetworkPolicyRuleAction,
	from ...anpv1alpha1.AdminNetworkPolicyIngressPeer) ANPFn {
	return func(p *anpv1alpha1.AdminNetworkPolicy) {
		p.Spec.Ingress = append(p.Spec.Ingress, anpv1alpha1.AdminNetworkPolicyIngressRule{
			Name: ruleName("in", len(p.Spec.Ingress)), Action: action, From: from})
	}
}

// ANPEgress adds an egress rule named after its index ("eg-0", ...).
func ANPEgress(action anpv1alpha1.AdminNetworkPolicyRuleAction, to ...anpv1alpha1.AdminNetworkPolicyEgressPeer) ANPFn {
	return func(p *anpv1alpha1.AdminNetworkPolicy) {
		p.Spec.Egress = append(p.Spec.Egress, anpv1alpha1.AdminNetworkPolicyEgressRule{
			Name: ruleName("eg", len(p.Spec.Egress)), Action: action, To: to})
	}
}

// BANP makes the BaselineAdminNetworkPolicy, named "default" as the API requires.
func BANP(subject anpv1alpha1.AdminNetworkPolicySubject, tweaks ...BANPFn) *anpv1alpha1.BaselineAdminNetworkPolicy {
	p := &anpv1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default"},
		Spec: anpv1alpha1.BaselineAdminNetworkPolicySpec{Subject: subject}}
	for _, t := range tweaks {
		t(p)
	}
	return p
}

// BANPIngress adds an ingress rule named after its index.
func BANPIngress(action anpv1alpha1.BaselineAdminNetworkPolicyRuleAction,
	from ...anpv1alpha1.AdminNetworkPolicyIngressPeer) BANPFn {
	return func(p *anpv1alpha1.BaselineAdminNetworkPolicy) {
		p.Spec.Ingress = append(p.Spec.Ingress, anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{
			Name: ruleName("in", len(p.Spec.Ingress)), Action: action, From: from})
	}
}

// BANPEgress adds an egress rule named after its index.
func BANPEgress(action anpv1alpha1.BaselineAdminNetworkPolicyRuleAction,
	to ...anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer) BANPFn {
	return func(p *anpv1alpha1.BaselineAdminNetworkPolicy) {
		p.Spec.Egress = append(p.Spec.Egress, anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{
			Name: ruleName("eg", len(p.Spec.Egress)), Action: action, To: to})
	}
}

// SubjectNamespaces selects every pod of the namespaces sel selects.
func SubjectNamespaces(sel *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicySubject {
	return anpv1alpha1.AdminNetworkPolicySubject{Namespaces: sel}
}

// SubjectPods selects the pods pods selects in the namespaces ns selects.
func SubjectPods(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicySubject {
	return anpv1alpha1.AdminNetworkPolicySubject{Pods: &anpv1alpha1.NamespacedPod{
		NamespaceSelector: *ns, PodSelector: *pods}}
}

// FromNamespaces is an ANP/BANP ingress peer of namespaces.
func FromNamespaces(sel *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyIngressPeer {
	return anpv1alpha1.AdminNetworkPolicyIngressPeer{Namespaces: sel}
}

// FromPods is an ANP/BANP ingress peer of pods.
func FromPods(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyIngressPeer {
	return anpv1alpha1.AdminNetworkPolicyIngressPeer{Pods: &anpv1alpha1.NamespacedPod{
		NamespaceSelector: *ns, PodSelector: *pods}}
}

// ToNamespaces is an ANP egress peer of namespaces.
func ToNamespaces(sel *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Namespaces: sel}
}

// ToPods is an ANP egress peer of pods.
func ToPods(ns, pods *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Pods: &anpv1alpha1.NamespacedPod{
		NamespaceSelector: *ns, PodSelector: *pods}}
}

// ToNetworks is an ANP egress peer of CIDRs.
func ToNetworks(cidrs ...anpv1alpha1.CIDR) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Networks: cidrs}
}

// CNP makes a ClusterNetworkPolicy of a tier with no rules; CNPIngress and CNPEgress add them.
func CNP(name string, tier cnpv1beta1.Tier, priority int32, subject cnpv1beta1.ClusterNetworkPolicySubject,
	tweaks ...CNPFn) *cnpv1beta1.ClusterNetworkPolicy {
	p := &cnpv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: cnpv1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: priority, Subject: subject}}
	for _, t := range tweaks {
		t(p)
	}
	return p
}

// CNPSubjectNamespaces selects every pod of the namespaces sel selects.
func CNPSubjectNamespaces(sel *metav1.LabelSelector) cnpv1beta1.ClusterNetworkPolicySubject {
	return cnpv1beta1.ClusterNetworkPolicySubject{Namespaces: sel}
}

// CNPIngress adds an ingress rule, named after its index.
func CNPIngress(action cnpv1beta1.ClusterNetworkPolicyRuleAction,
	from ...cnpv1beta1.ClusterNetworkPolicyIngressPeer) CNPFn {
	return func(p *cnpv1beta1.ClusterNetworkPolicy) {
		p.Spec.Ingress = append(p.Spec.Ingress, cnpv1beta1.ClusterNetworkPolicyIngressRule{
			Name: ruleName("in", len(p.Spec.Ingress)), Action: action, From: from})
	}
}

// CNPEgress adds an egress rule, named after its index.
func CNPEgress(action cnpv1beta1.ClusterNetworkPolicyRuleAction,
	to ...cnpv1beta1.ClusterNetworkPolicyEgressPeer) CNPFn {
	return func(p *cnpv1beta1.ClusterNetworkPolicy) {
		p.Spec.Egress = append(p.Spec.Egress, cnpv1beta1.ClusterNetworkPolicyEgressRule{
			Name: ruleName("eg", len(p.Spec.Egress)), Action: action, To: to})
	}
}

// CNPFromNamespaces is a CNP ingress peer of namespaces.
func CNPFromNamespaces(sel *metav1.LabelSelector) cnpv1beta1.ClusterNetworkPolicyIngressPeer {
	return cnpv1beta1.ClusterNetworkPolicyIngressPeer{Namespaces: sel}
}

// CNPToNamespaces is a CNP egress peer of namespaces.
func CNPToNamespaces(sel *metav1.LabelSelector) cnpv1beta1.ClusterNetworkPolicyEgressPeer {
	return cnpv1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: sel}
}

// NetworkPolicy makes a NetworkPolicy selecting pods; NPIngress and NPEgress add rules and the
// direction to policyTypes.
func NetworkPolicy(ns, name string, pods *metav1.LabelSelector, tweaks ...NetworkPolicyFn) *networkingv1.NetworkPolicy {
	p := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: *pods}}
	for _, t := range tweaks {
		t(p)
	}
	return p
}

// NPIngress adds an ingress rule from these peers (none: from everywhere) and isolates ingress.
func NPIngress(from ...networkingv1.NetworkPolicyPeer) NetworkPolicyFn {
	return func(p *networkingv1.NetworkPolicy) {
		p.Spec.Ingress = append(p.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{From: from})
		addType(p, networkingv1.PolicyTypeIngress)
	}
}

// NPEgress adds an egress rule to these peers (none: to everywhere) and isolates egress.
func NPEgress(to ...networkingv1.NetworkPolicyPeer) NetworkPolicyFn {
	return func(p *networkingv1.NetworkPolicy) {
		p.Spec.Egress = append(p.Spec.Egress, networkingv1.NetworkPolicyEgressRule{To: to})
		addType(p, networkingv1.PolicyTypeEgress)
	}
}

// Isolate adds directions to policyTypes with no rule: the selected pods are isolated in them.
func Isolate(types ...networkingv1.PolicyType) NetworkPolicyFn {
	return func(p *networkingv1.NetworkPolicy) {
		for _, t := range types {
			addType(p, t)
		}
	}
}

// NPPeer is a NetworkPolicy peer of pods in namespaces; a nil selector leaves that part out.
func NPPeer(ns, pods *metav1.LabelSelector) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{NamespaceSelector: ns, PodSelector: pods}
}

func addType(p *networkingv1.NetworkPolicy, t networkingv1.PolicyType) {
	for _, have := range p.Spec.PolicyTypes {
		if have == t {
			return
		}
	}
	p.Spec.PolicyTypes = append(p.Spec.PolicyTypes, t)
}

func ruleName(dir string, i int) string { return dir + "-" + strconv.Itoa(i) }
