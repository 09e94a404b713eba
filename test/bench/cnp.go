package bench

import (
	"fmt"
	"strings"

	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// AsClusterNetworkPolicies restates the snapshot's ANPs as Admin ClusterNetworkPolicies and its BANP as
// a Baseline one of priority 0 (Allow -> Accept, ports -> protocols), the restatement examples/cnp
// uses, so a workload can be measured in both APIs. The policies are equivalent: the translation has
// the same rows but for names. It fails on what CNP cannot say (an ANP rule with an empty port list).
func AsClusterNetworkPolicies(s *cluster.Snapshot) error {
	for _, a := range s.ANPs {
		c, err := cnpOf(a.Name, cnpv1beta1.AdminTier, a.Spec.Priority, a.Spec.Subject, a.Annotations)
		if err != nil {
			return err
		}
		for _, r := range a.Spec.Ingress {
			rule, err := cnpIngress(r.Name, string(r.Action), r.From, r.Ports)
			if err != nil {
				return fmt.Errorf("ANP %s: %w", a.Name, err)
			}
			c.Spec.Ingress = append(c.Spec.Ingress, rule)
		}
		for _, r := range a.Spec.Egress {
			rule, err := cnpEgress(r.Name, string(r.Action), r.To, r.Ports)
			if err != nil {
				return fmt.Errorf("ANP %s: %w", a.Name, err)
			}
			c.Spec.Egress = append(c.Spec.Egress, rule)
		}
		s.CNPs = append(s.CNPs, c)
	}
	for _, b := range s.BANPs {
		c, err := cnpOf(b.Name, cnpv1beta1.BaselineTier, 0, b.Spec.Subject, b.Annotations)
		if err != nil {
			return err
		}
		for _, r := range b.Spec.Ingress {
			rule, err := cnpIngress(r.Name, string(r.Action), r.From, r.Ports)
			if err != nil {
				return fmt.Errorf("BANP: %w", err)
			}
			c.Spec.Ingress = append(c.Spec.Ingress, rule)
		}
		for _, r := range b.Spec.Egress {
			var to []anpv1alpha1.AdminNetworkPolicyEgressPeer
			for _, p := range r.To {
				to = append(to, anpv1alpha1.AdminNetworkPolicyEgressPeer{Namespaces: p.Namespaces, Pods: p.Pods,
					Nodes: p.Nodes, Networks: p.Networks})
			}
			rule, err := cnpEgress(r.Name, string(r.Action), to, r.Ports)
			if err != nil {
				return fmt.Errorf("BANP: %w", err)
			}
			c.Spec.Egress = append(c.Spec.Egress, rule)
		}
		s.CNPs = append(s.CNPs, c)
	}
	s.ANPs, s.BANPs = nil, nil
	return nil
}

func cnpOf(name string, tier cnpv1beta1.Tier, prio int32, sub anpv1alpha1.AdminNetworkPolicySubject,
	annotations map[string]string) (*cnpv1beta1.ClusterNetworkPolicy, error) {
	c := &cnpv1beta1.ClusterNetworkPolicy{Spec: cnpv1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: prio,
		Subject: cnpv1beta1.ClusterNetworkPolicySubject{Namespaces: sub.Namespaces,
			Pods: (*cnpv1beta1.NamespacedPod)(sub.Pods)}}}
	c.Name, c.Annotations = name, annotations
	return c, nil
}

func cnpAction(a string) cnpv1beta1.ClusterNetworkPolicyRuleAction {
	if a == "Allow" {
		return cnpv1beta1.ClusterNetworkPolicyRuleActionAccept
	}
	return cnpv1beta1.ClusterNetworkPolicyRuleAction(a)
}

func cnpIngress(name, action string, from []anpv1alpha1.AdminNetworkPolicyIngressPeer,
	ports *[]anpv1alpha1.AdminNetworkPolicyPort) (cnpv1beta1.ClusterNetworkPolicyIngressRule, error) {
	protos, err := cnpProtocols(ports)
	r := cnpv1beta1.ClusterNetworkPolicyIngressRule{Name: name, Action: cnpAction(action), Protocols: protos}
	for _, p := range from {
		r.From = append(r.From, cnpv1beta1.ClusterNetworkPolicyIngressPeer{Namespaces: p.Namespaces,
			Pods: (*cnpv1beta1.NamespacedPod)(p.Pods)})
	}
	return r, err
}

func cnpEgress(name, action string, to []anpv1alpha1.AdminNetworkPolicyEgressPeer,
	ports *[]anpv1alpha1.AdminNetworkPolicyPort) (cnpv1beta1.ClusterNetworkPolicyEgressRule, error) {
	protos, err := cnpProtocols(ports)
	r := cnpv1beta1.ClusterNetworkPolicyEgressRule{Name: name, Action: cnpAction(action), Protocols: protos}
	for _, p := range to {
		peer := cnpv1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: p.Namespaces,
			Pods: (*cnpv1beta1.NamespacedPod)(p.Pods), Nodes: p.Nodes}
		for _, n := range p.Networks {
			peer.Networks = append(peer.Networks, cnpv1beta1.CIDR(n))
		}
		for _, d := range p.DomainNames {
			peer.DomainNames = append(peer.DomainNames, cnpv1beta1.DomainName(d))
		}
		r.To = append(r.To, peer)
	}
	return r, err
}

func cnpProtocols(ports *[]anpv1alpha1.AdminNetworkPolicyPort) ([]cnpv1beta1.ClusterNetworkPolicyProtocol, error) {
	if ports == nil {
		return nil, nil
	}
	if len(*ports) == 0 {
		return nil, fmt.Errorf("a rule with an empty ports list matches nothing; CNP cannot say that")
	}
	var out []cnpv1beta1.ClusterNetworkPolicyProtocol
	for _, p := range *ports {
		var dest *cnpv1beta1.Port
		var proto string
		switch {
		case p.PortNumber != nil:
			proto, dest = string(p.PortNumber.Protocol), &cnpv1beta1.Port{Number: p.PortNumber.Port}
		case p.PortRange != nil:
			proto = string(p.PortRange.Protocol)
			dest = &cnpv1beta1.Port{Range: &cnpv1beta1.PortRange{Start: p.PortRange.Start, End: p.PortRange.End}}
		case p.NamedPort != nil:
			out = append(out, cnpv1beta1.ClusterNetworkPolicyProtocol{DestinationNamedPort: *p.NamedPort})
			continue
		default:
			return nil, fmt.Errorf("a port with no field set")
		}
		var x cnpv1beta1.ClusterNetworkPolicyProtocol
		switch strings.ToUpper(proto) {
		case "", "TCP":
			x.TCP = &cnpv1beta1.ClusterNetworkPolicyProtocolTCP{DestinationPort: dest}
		case "UDP":
			x.UDP = &cnpv1beta1.ClusterNetworkPolicyProtocolUDP{DestinationPort: dest}
		case "SCTP":
			x.SCTP = &cnpv1beta1.ClusterNetworkPolicyProtocolSCTP{DestinationPort: dest}
		default:
			return nil, fmt.Errorf("protocol %q", proto)
		}
		out = append(out, x)
	}
	return out, nil
}
