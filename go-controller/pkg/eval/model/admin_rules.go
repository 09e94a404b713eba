package model

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// The kinds of the Admin and Baseline tiers, as steps name them.
const (
	kindANP  = "AdminNetworkPolicy"
	kindBANP = "BaselineAdminNetworkPolicy"
	kindCNP  = "ClusterNetworkPolicy"
)

// adminPeer is any ANP, BANP or ClusterNetworkPolicy peer, ingress or egress: the union of their fields,
// so one matcher serves them all. Ingress peers only ever fill Namespaces and Pods.
type adminPeer struct {
	Namespaces  *metav1.LabelSelector
	Pods        *anpv1alpha1.NamespacedPod
	Nodes       *metav1.LabelSelector
	Networks    []anpv1alpha1.CIDR
	DomainNames []anpv1alpha1.DomainName
}

// adminRule is one rule of one direction, as written. ANP and BANP rules have ports; ClusterNetworkPolicy
// rules (cnp set) have protocols instead, and the API's limits of 25 items.
type adminRule struct {
	name      string
	action    string
	peers     []adminPeer
	ports     *[]anpv1alpha1.AdminNetworkPolicyPort
	cnp       bool
	protocols []cnpv1beta1.ClusterNetworkPolicyProtocol
}

func fromANP(anp *anpv1alpha1.AdminNetworkPolicy) *tierPolicy {
	p := &tierPolicy{kind: kindANP, name: anp.Name, priority: anp.Spec.Priority, subject: anp.Spec.Subject,
		actions: anpActions}
	for _, r := range anp.Spec.Ingress {
		p.ingress = append(p.ingress, adminRule{name: r.Name, action: string(r.Action), peers: ingressPeers(r.From),
			ports: r.Ports})
	}
	for _, r := range anp.Spec.Egress {
		var peers []adminPeer
		for _, x := range r.To {
			peers = append(peers, adminPeer{Namespaces: x.Namespaces, Pods: x.Pods, Nodes: x.Nodes,
				Networks: x.Networks, DomainNames: x.DomainNames})
		}
		p.egress = append(p.egress, adminRule{name: r.Name, action: string(r.Action), peers: peers, ports: r.Ports})
	}
	return p
}

func fromBANP(banp *anpv1alpha1.BaselineAdminNetworkPolicy) *tierPolicy {
	p := &tierPolicy{kind: kindBANP, name: banp.Name, subject: banp.Spec.Subject, actions: banpActions}
	for _, r := range banp.Spec.Ingress {
		p.ingress = append(p.ingress, adminRule{name: r.Name, action: string(r.Action), peers: ingressPeers(r.From),
			ports: r.Ports})
	}
	for _, r := range banp.Spec.Egress {
		var peers []adminPeer
		for _, x := range r.To {
			peers = append(peers, adminPeer{Namespaces: x.Namespaces, Pods: x.Pods, Nodes: x.Nodes, Networks: x.Networks})
		}
		p.egress = append(p.egress, adminRule{name: r.Name, action: string(r.Action), peers: peers, ports: r.Ports})
	}
	return p
}

func ingressPeers(from []anpv1alpha1.AdminNetworkPolicyIngressPeer) []adminPeer {
	var out []adminPeer
	for _, p := range from {
		out = append(out, adminPeer{Namespaces: p.Namespaces, Pods: p.Pods})
	}
	return out
}

// fromCNP reads a ClusterNetworkPolicy. Its NamespacedPod has the ANP one's fields, so it converts.
func fromCNP(c *cnpv1beta1.ClusterNetworkPolicy) *tierPolicy {
	p := &tierPolicy{kind: kindCNP, name: c.Name, priority: c.Spec.Priority, actions: cnpActions,
		subject: anpv1alpha1.AdminNetworkPolicySubject{Namespaces: c.Spec.Subject.Namespaces,
			Pods: (*anpv1alpha1.NamespacedPod)(c.Spec.Subject.Pods)}}
	for _, r := range c.Spec.Ingress {
		var peers []adminPeer
		for _, x := range r.From {
			peers = append(peers, adminPeer{Namespaces: x.Namespaces, Pods: (*anpv1alpha1.NamespacedPod)(x.Pods)})
		}
		p.ingress = append(p.ingress, adminRule{name: r.Name, action: string(r.Action), peers: peers, cnp: true,
			protocols: r.Protocols})
	}
	for _, r := range c.Spec.Egress {
		var peers []adminPeer
		for _, x := range r.To {
			peer := adminPeer{Namespaces: x.Namespaces, Pods: (*anpv1alpha1.NamespacedPod)(x.Pods), Nodes: x.Nodes}
			for _, n := range x.Networks {
				peer.Networks = append(peer.Networks, anpv1alpha1.CIDR(n))
			}
			for _, d := range x.DomainNames {
				peer.DomainNames = append(peer.DomainNames, anpv1alpha1.DomainName(d))
			}
			peers = append(peers, peer)
		}
		p.egress = append(p.egress, adminRule{name: r.Name, action: string(r.Action), peers: peers, cnp: true,
			protocols: r.Protocols})
	}
	return p
}

// cnpAccepted reports whether the API server would store the policy (tier, priority, rule counts); the
// CRD rejects anything else, so such a policy does not exist.
func cnpAccepted(c *cnpv1beta1.ClusterNetworkPolicy) bool {
	tierOK := c.Spec.Tier == cnpv1beta1.AdminTier || c.Spec.Tier == cnpv1beta1.BaselineTier
	return tierOK && c.Spec.Priority >= 0 && c.Spec.Priority <= 1000 &&
		len(c.Spec.Ingress) <= cnpMaxItems && len(c.Spec.Egress) <= cnpMaxItems
}

// cnpMaxItems is the API's limit on rules per direction and on peers, protocols, networks and domain
// names per rule.
const cnpMaxItems = 25
