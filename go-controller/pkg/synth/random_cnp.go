package synth

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// cnp draws a ClusterNetworkPolicy in either tier, with priorities that collide with each other, with
// the ANPs' and with the BANP's 0, peers and ports like the ANPs', and now and then input that must fail
// closed (an ANP action name, a protocol without a port, a named port next to a networks peer).
func (g *gen) cnp(i int) {
	tier := cnpv1beta1.AdminTier
	if g.chance(2) {
		tier = cnpv1beta1.BaselineTier
	}
	prio := int32(g.rng.Intn(4))
	if g.chance(4) {
		prio = int32(500 + g.rng.Intn(501))
	}
	sub := g.subject()
	c := &cnpv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cnp-%d", i)},
		Spec: cnpv1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: prio, Subject: cnpv1beta1.ClusterNetworkPolicySubject{
			Namespaces: sub.Namespaces, Pods: cnpPod(sub.Pods)}}}
	for r := g.rng.Intn(4); r > 0; r-- {
		rule := cnpv1beta1.ClusterNetworkPolicyIngressRule{Name: fmt.Sprintf("in-%d", r), Action: g.cnpAction(),
			Protocols: g.protocols()}
		for p := 1 + g.rng.Intn(2); p > 0; p-- {
			x := g.ingressPeer()
			rule.From = append(rule.From, cnpv1beta1.ClusterNetworkPolicyIngressPeer{Namespaces: x.Namespaces,
				Pods: cnpPod(x.Pods)})
		}
		c.Spec.Ingress = append(c.Spec.Ingress, rule)
	}
	for r := g.rng.Intn(4); r > 0; r-- {
		rule := cnpv1beta1.ClusterNetworkPolicyEgressRule{Name: fmt.Sprintf("eg-%d", r), Action: g.cnpAction(),
			Protocols: g.protocols()}
		for p := 1 + g.rng.Intn(2); p > 0; p-- {
			x := g.egressPeer()
			peer := cnpv1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: x.Namespaces, Pods: cnpPod(x.Pods), Nodes: x.Nodes}
			for _, n := range x.Networks {
				peer.Networks = append(peer.Networks, cnpv1beta1.CIDR(n))
			}
			for _, d := range x.DomainNames {
				peer.DomainNames = append(peer.DomainNames, cnpv1beta1.DomainName(d))
			}
			rule.To = append(rule.To, peer)
		}
		c.Spec.Egress = append(c.Spec.Egress, rule)
	}
	g.s.CNPs = append(g.s.CNPs, c)
}

func cnpPod(p *anpv1alpha1.NamespacedPod) *cnpv1beta1.NamespacedPod {
	return (*cnpv1beta1.NamespacedPod)(p)
}

func (g *gen) cnpAction() cnpv1beta1.ClusterNetworkPolicyRuleAction {
	if g.chance(20) {
		return "Allow" // ANP's word: unknown here, fails closed
	}
	return cnpv1beta1.ClusterNetworkPolicyRuleAction(g.pick([]string{"Accept", "Deny", "Pass"}))
}

// protocols draws a rule's protocols: none (all traffic), or one or two of tcp/udp/sctp with a number or
// range, or a named port; rarely an entry without a port.
func (g *gen) protocols() []cnpv1beta1.ClusterNetworkPolicyProtocol {
	if g.chance(3) {
		return nil
	}
	var out []cnpv1beta1.ClusterNetworkPolicyProtocol
	for i := 1 + g.rng.Intn(2); i > 0; i-- {
		port := &cnpv1beta1.Port{Number: int32(g.pick2(80, 8080))}
		switch g.rng.Intn(4) {
		case 0:
			port = &cnpv1beta1.Port{Range: &cnpv1beta1.PortRange{Start: 8000, End: int32(g.pick2(8080, 8100))}}
		case 1:
			port = &cnpv1beta1.Port{Number: 53}
		case 2:
			if g.chance(10) {
				port = nil
			}
		}
		var p cnpv1beta1.ClusterNetworkPolicyProtocol
		switch g.rng.Intn(4) {
		case 0:
			p.UDP = &cnpv1beta1.ClusterNetworkPolicyProtocolUDP{DestinationPort: port}
		case 1:
			p.SCTP = &cnpv1beta1.ClusterNetworkPolicyProtocolSCTP{DestinationPort: port}
		case 2:
			p.DestinationNamedPort = g.pick([]string{"web", "dns", "nothere"})
		default:
			p.TCP = &cnpv1beta1.ClusterNetworkPolicyProtocolTCP{DestinationPort: port}
		}
		out = append(out, p)
	}
	return out
}
