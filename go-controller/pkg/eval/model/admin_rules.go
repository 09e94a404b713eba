package model

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

// adminPeer is any ANP or BANP peer, ingress or egress: the union of their fields, so one matcher
// serves all four peer types. Ingress peers only ever fill Namespaces and Pods.
type adminPeer struct {
	Namespaces  *metav1.LabelSelector
	Pods        *anpv1alpha1.NamespacedPod
	Nodes       *metav1.LabelSelector
	Networks    []anpv1alpha1.CIDR
	DomainNames []anpv1alpha1.DomainName
}

// adminRule is an ANP or BANP rule of one direction, as written.
type adminRule struct {
	name   string
	action string
	peers  []adminPeer
	ports  *[]anpv1alpha1.AdminNetworkPolicyPort
}

func anpRules(anp *anpv1alpha1.AdminNetworkPolicy, dir direction) []adminRule {
	var out []adminRule
	if dir == ingress {
		for _, r := range anp.Spec.Ingress {
			out = append(out, adminRule{name: r.Name, action: string(r.Action), peers: ingressPeers(r.From), ports: r.Ports})
		}
		return out
	}
	for _, r := range anp.Spec.Egress {
		var peers []adminPeer
		for _, p := range r.To {
			peers = append(peers, adminPeer{Namespaces: p.Namespaces, Pods: p.Pods, Nodes: p.Nodes,
				Networks: p.Networks, DomainNames: p.DomainNames})
		}
		out = append(out, adminRule{name: r.Name, action: string(r.Action), peers: peers, ports: r.Ports})
	}
	return out
}

func banpRules(banp *anpv1alpha1.BaselineAdminNetworkPolicy, dir direction) []adminRule {
	var out []adminRule
	if dir == ingress {
		for _, r := range banp.Spec.Ingress {
			out = append(out, adminRule{name: r.Name, action: string(r.Action), peers: ingressPeers(r.From), ports: r.Ports})
		}
		return out
	}
	for _, r := range banp.Spec.Egress {
		var peers []adminPeer
		for _, p := range r.To {
			peers = append(peers, adminPeer{Namespaces: p.Namespaces, Pods: p.Pods, Nodes: p.Nodes, Networks: p.Networks})
		}
		out = append(out, adminRule{name: r.Name, action: string(r.Action), peers: peers, ports: r.Ports})
	}
	return out
}

func ingressPeers(from []anpv1alpha1.AdminNetworkPolicyIngressPeer) []adminPeer {
	var out []adminPeer
	for _, p := range from {
		out = append(out, adminPeer{Namespaces: p.Namespaces, Pods: p.Pods})
	}
	return out
}
