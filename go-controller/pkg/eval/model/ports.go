package model

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

const minPort, maxPort = 1, 65535

// matchAdminPort reports whether an ANP/BANP port matches the flow; problem is set (and hit false) for a
// port the evaluator cannot honor.
func matchAdminPort(s side, p anpv1alpha1.AdminNetworkPolicyPort) (hit bool, problem string) {
	set := 0
	for _, isSet := range []bool{p.PortNumber != nil, p.PortRange != nil, p.NamedPort != nil} {
		if isSet {
			set++
		}
	}
	switch {
	case set != 1:
		return false, fmt.Sprintf("%d port fields set, want exactly one", set)
	case p.PortNumber != nil:
		proto, err := protocolOrTCP(p.PortNumber.Protocol)
		if err != nil {
			return false, err.Error()
		}
		if !validPort(p.PortNumber.Port) {
			return false, fmt.Sprintf("port %d out of range", p.PortNumber.Port)
		}
		return proto == s.protocol && p.PortNumber.Port == s.port, ""
	case p.PortRange != nil:
		r := p.PortRange
		proto, err := protocolOrTCP(r.Protocol)
		if err != nil {
			return false, err.Error()
		}
		// The API requires start < end; a range that breaks it is not one we guess the meaning of.
		if !validPort(r.Start) || !validPort(r.End) || r.Start >= r.End {
			return false, fmt.Sprintf("invalid port range %d-%d", r.Start, r.End)
		}
		return proto == s.protocol && r.Start <= s.port && s.port <= r.End, ""
	case *p.NamedPort == "":
		return false, "empty port name"
	default:
		return namedPortMatches(s, *p.NamedPort), ""
	}
}

// matchNetpolPort reports whether a NetworkPolicy port matches the flow. NetworkPolicy rules only allow,
// so a port the evaluator cannot honor simply matches nothing.
func matchNetpolPort(s side, p networkingv1.NetworkPolicyPort) bool {
	proto := corev1.ProtocolTCP
	if p.Protocol != nil {
		var err error
		if proto, err = protocolOrTCP(*p.Protocol); err != nil {
			return false
		}
	}
	if proto != s.protocol {
		return false
	}
	if p.Port == nil {
		// All ports of the protocol; an endPort without a port is invalid.
		return p.EndPort == nil
	}
	if p.Port.Type == intstr.String {
		// endPort cannot go with a named port.
		return p.EndPort == nil && namedPortMatches(s, p.Port.StrVal)
	}
	start := p.Port.IntVal
	end := start
	if p.EndPort != nil {
		end = *p.EndPort
	}
	if !validPort(start) || !validPort(end) || end < start {
		return false
	}
	return start <= s.port && s.port <= end
}

// namedPortMatches resolves a port name on the flow's destination pod: the flow must reach that
// container port with its protocol. A destination that is not a selectable pod has no named ports.
func namedPortMatches(s side, name string) bool {
	dst := s.destinationPod()
	if dst == nil || name == "" {
		return false
	}
	cp, ok := cluster.NamedPort(dst.Pod, name)
	return ok && cp.Protocol == s.protocol && cp.ContainerPort == s.port
}

// protocolOrTCP defaults an empty protocol to TCP, as both APIs do.
func protocolOrTCP(p corev1.Protocol) (corev1.Protocol, error) {
	if p == "" {
		return corev1.ProtocolTCP, nil
	}
	if !knownProtocol(p) {
		return "", fmt.Errorf("unknown protocol %q", p)
	}
	return p, nil
}

func validPort(p int32) bool { return p >= minPort && p <= maxPort }
