package testobj

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// Rules with a chosen name and ports, for tests whose rules are not the "in-0", "eg-0" kind, and the
// peers and ports the plain helpers leave out.

// ANPIngressRule adds an ingress rule with a name and ports (nil: every port).
func ANPIngressRule(name string, action anpv1alpha1.AdminNetworkPolicyRuleAction,
	ports *[]anpv1alpha1.AdminNetworkPolicyPort, from ...anpv1alpha1.AdminNetworkPolicyIngressPeer) ANPFn {
	return func(p *anpv1alpha1.AdminNetworkPolicy) {
		p.Spec.Ingress = append(p.Spec.Ingress, anpv1alpha1.AdminNetworkPolicyIngressRule{
			Name: name, Action: action, From: from, Ports: ports})
	}
}

// ANPEgressRule adds an egress rule with a name and ports (nil: every port).
func ANPEgressRule(name string, action anpv1alpha1.AdminNetworkPolicyRuleAction,
	ports *[]anpv1alpha1.AdminNetworkPolicyPort, to ...anpv1alpha1.AdminNetworkPolicyEgressPeer) ANPFn {
	return func(p *anpv1alpha1.AdminNetworkPolicy) {
		p.Spec.Egress = append(p.Spec.Egress, anpv1alpha1.AdminNetworkPolicyEgressRule{
			Name: name, Action: action, To: to, Ports: ports})
	}
}

// BANPIngressRule adds an ingress rule with a name and ports (nil: every port).
func BANPIngressRule(name string, action anpv1alpha1.BaselineAdminNetworkPolicyRuleAction,
	ports *[]anpv1alpha1.AdminNetworkPolicyPort, from ...anpv1alpha1.AdminNetworkPolicyIngressPeer) BANPFn {
	return func(p *anpv1alpha1.BaselineAdminNetworkPolicy) {
		p.Spec.Ingress = append(p.Spec.Ingress, anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{
			Name: name, Action: action, From: from, Ports: ports})
	}
}

// BANPEgressRule adds an egress rule with a name and ports (nil: every port).
func BANPEgressRule(name string, action anpv1alpha1.BaselineAdminNetworkPolicyRuleAction,
	ports *[]anpv1alpha1.AdminNetworkPolicyPort, to ...anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer) BANPFn {
	return func(p *anpv1alpha1.BaselineAdminNetworkPolicy) {
		p.Spec.Egress = append(p.Spec.Egress, anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{
			Name: name, Action: action, To: to, Ports: ports})
	}
}

// ToNodes is an ANP egress peer of nodes.
func ToNodes(sel *metav1.LabelSelector) anpv1alpha1.AdminNetworkPolicyEgressPeer {
	return anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: sel}
}

// BANPToNamespaces is a BANP egress peer of namespaces.
func BANPToNamespaces(sel *metav1.LabelSelector) anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer {
	return anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: sel}
}

// BANPToPods is a BANP egress peer of pods.
func BANPToPods(ns, pods *metav1.LabelSelector) anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer {
	return anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Pods: &anpv1alpha1.NamespacedPod{
		NamespaceSelector: *ns, PodSelector: *pods}}
}

// ANPPorts is an ANP/BANP rule's port list; ANPPorts() is the empty list, not "every port" (nil).
func ANPPorts(ports ...anpv1alpha1.AdminNetworkPolicyPort) *[]anpv1alpha1.AdminNetworkPolicyPort {
	return &ports
}

// ANPPortNumber is one port of a protocol ("" leaves the protocol to the API's TCP default).
func ANPPortNumber(protocol corev1.Protocol, port int32) anpv1alpha1.AdminNetworkPolicyPort {
	return anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Protocol: protocol, Port: port}}
}

// ANPPortRange is the ports start to end, both included.
func ANPPortRange(protocol corev1.Protocol, start, end int32) anpv1alpha1.AdminNetworkPolicyPort {
	return anpv1alpha1.AdminNetworkPolicyPort{PortRange: &anpv1alpha1.PortRange{
		Protocol: protocol, Start: start, End: end}}
}

// ANPNamedPort is a container port by name.
func ANPNamedPort(name string) anpv1alpha1.AdminNetworkPolicyPort {
	return anpv1alpha1.AdminNetworkPolicyPort{NamedPort: &name}
}

// NPIngressPorts adds an ingress rule on these ports from these peers and isolates ingress.
func NPIngressPorts(ports []networkingv1.NetworkPolicyPort, from ...networkingv1.NetworkPolicyPeer) NetworkPolicyFn {
	return func(p *networkingv1.NetworkPolicy) {
		p.Spec.Ingress = append(p.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{Ports: ports, From: from})
		addType(p, networkingv1.PolicyTypeIngress)
	}
}

// NPEgressPorts adds an egress rule on these ports to these peers and isolates egress.
func NPEgressPorts(ports []networkingv1.NetworkPolicyPort, to ...networkingv1.NetworkPolicyPeer) NetworkPolicyFn {
	return func(p *networkingv1.NetworkPolicy) {
		p.Spec.Egress = append(p.Spec.Egress, networkingv1.NetworkPolicyEgressRule{Ports: ports, To: to})
		addType(p, networkingv1.PolicyTypeEgress)
	}
}

// NoPolicyTypes clears policyTypes, leaving the API server's defaulting to the code under test.
func NoPolicyTypes() NetworkPolicyFn {
	return func(p *networkingv1.NetworkPolicy) { p.Spec.PolicyTypes = nil }
}

// IPBlock is a NetworkPolicy peer of a CIDR less its exceptions.
func IPBlock(cidr string, except ...string) networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr, Except: except}}
}

// NPPort is a NetworkPolicy port by number or name; protocol "" leaves it unset (the API's TCP).
func NPPort(protocol corev1.Protocol, port intstr.IntOrString) networkingv1.NetworkPolicyPort {
	p := networkingv1.NetworkPolicyPort{Port: &port}
	if protocol != "" {
		p.Protocol = &protocol
	}
	return p
}

// NPPortRange is the NetworkPolicy ports start to end (endPort), both included.
func NPPortRange(protocol corev1.Protocol, start, end int32) networkingv1.NetworkPolicyPort {
	p := NPPort(protocol, intstr.FromInt32(start))
	p.EndPort = &end
	return p
}

// CNPSubjectPods selects the pods pods selects in the namespaces ns selects.
func CNPSubjectPods(ns, pods *metav1.LabelSelector) cnpv1beta1.ClusterNetworkPolicySubject {
	return cnpv1beta1.ClusterNetworkPolicySubject{Pods: &cnpv1beta1.NamespacedPod{
		NamespaceSelector: *ns, PodSelector: *pods}}
}

// CNPEgressRule adds an egress rule with a name and protocols (nil: every protocol and port).
func CNPEgressRule(name string, action cnpv1beta1.ClusterNetworkPolicyRuleAction,
	protocols []cnpv1beta1.ClusterNetworkPolicyProtocol, to ...cnpv1beta1.ClusterNetworkPolicyEgressPeer) CNPFn {
	return func(p *cnpv1beta1.ClusterNetworkPolicy) {
		p.Spec.Egress = append(p.Spec.Egress, cnpv1beta1.ClusterNetworkPolicyEgressRule{
			Name: name, Action: action, To: to, Protocols: protocols})
	}
}

// CNPIngressRule adds an ingress rule with a name and protocols (nil: every protocol and port).
func CNPIngressRule(name string, action cnpv1beta1.ClusterNetworkPolicyRuleAction,
	protocols []cnpv1beta1.ClusterNetworkPolicyProtocol, from ...cnpv1beta1.ClusterNetworkPolicyIngressPeer) CNPFn {
	return func(p *cnpv1beta1.ClusterNetworkPolicy) {
		p.Spec.Ingress = append(p.Spec.Ingress, cnpv1beta1.ClusterNetworkPolicyIngressRule{
			Name: name, Action: action, From: from, Protocols: protocols})
	}
}
