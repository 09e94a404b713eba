package model

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// matchCNPProtocols reports whether a ClusterNetworkPolicy rule's protocols match the flow: no protocols
// match everything. problems lists entries the evaluator cannot honor (then hit does not matter).
func matchCNPProtocols(s side, r adminRule) (hit bool, problems []string) {
	if len(r.protocols) == 0 {
		return true, nil
	}
	if len(r.protocols) > cnpMaxItems {
		problems = append(problems, fmt.Sprintf("%d protocols, more than %d", len(r.protocols), cnpMaxItems))
	}
	// Named ports exist only on pods; the API forbids them next to peers that are not pods.
	nonPodPeer := false
	for _, p := range r.peers {
		nonPodPeer = nonPodPeer || p.Nodes != nil || len(p.Networks) > 0 || len(p.DomainNames) > 0
	}
	for i, p := range r.protocols {
		h, problem := matchCNPProtocol(s, p)
		if problem == "" && p.DestinationNamedPort != "" && nonPodPeer {
			problem = "destinationNamedPort next to a nodes, networks or domainNames peer"
		}
		if problem != "" {
			problems = append(problems, fmt.Sprintf("protocol %d: %s", i, problem))
			continue
		}
		hit = hit || h
	}
	return hit, problems
}

func matchCNPProtocol(s side, p cnpv1beta1.ClusterNetworkPolicyProtocol) (hit bool, problem string) {
	type proto struct {
		name corev1.Protocol
		port *cnpv1beta1.Port
	}
	var set []proto
	if p.TCP != nil {
		set = append(set, proto{corev1.ProtocolTCP, p.TCP.DestinationPort})
	}
	if p.UDP != nil {
		set = append(set, proto{corev1.ProtocolUDP, p.UDP.DestinationPort})
	}
	if p.SCTP != nil {
		set = append(set, proto{corev1.ProtocolSCTP, p.SCTP.DestinationPort})
	}
	if p.DestinationNamedPort != "" {
		set = append(set, proto{})
	}
	if len(set) != 1 {
		return false, fmt.Sprintf("%d fields set, want exactly one", len(set))
	}
	if p.DestinationNamedPort != "" {
		return namedPortMatches(s, p.DestinationNamedPort), ""
	}
	x := set[0]
	switch {
	case x.port == nil:
		return false, "no destinationPort"
	case (x.port.Number != 0) == (x.port.Range != nil):
		return false, "destinationPort needs exactly one of number and range"
	case x.port.Range != nil:
		start, end := x.port.Range.Start, x.port.Range.End
		if !validPort(start) || !validPort(end) || start >= end {
			return false, fmt.Sprintf("invalid port range %d-%d", start, end)
		}
		return x.name == s.protocol && start <= s.port && s.port <= end, ""
	}
	if !validPort(x.port.Number) {
		return false, fmt.Sprintf("port %d out of range", x.port.Number)
	}
	return x.name == s.protocol && x.port.Number == s.port, ""
}
