package policy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

func protocol(p corev1.Protocol) (corev1.Protocol, error) {
	switch p {
	case "":
		return corev1.ProtocolTCP, nil
	case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		return p, nil
	}
	return "", fmt.Errorf("unknown protocol %q", p)
}

func validPort(n int32) bool { return n >= 1 && n <= 65535 }

// anpPorts compiles an ANP/BANP rule's ports; nil ports means any port.
func anpPorts(ports *[]anpv1alpha1.AdminNetworkPolicyPort) func() ([]Port, bool, []string) {
	return func() ([]Port, bool, []string) {
		if ports == nil {
			return nil, true, nil
		}
		var out []Port
		var bad []string
		for j, port := range *ports {
			compiled, err := anpPort(port)
			if err != nil {
				bad = append(bad, fmt.Sprintf("port %d: %v", j, err))
				continue
			}
			out = append(out, compiled)
		}
		return out, false, bad
	}
}

// anpPort compiles one ANP/BANP port; exactly one of its fields must be set.
func anpPort(p anpv1alpha1.AdminNetworkPolicyPort) (Port, error) {
	set := 0
	var out Port
	var err error
	if p.PortNumber != nil {
		set++
		if out.Protocol, err = protocol(p.PortNumber.Protocol); err != nil {
			return Port{}, err
		}
		if !validPort(p.PortNumber.Port) {
			return Port{}, fmt.Errorf("port %d is outside 1-65535", p.PortNumber.Port)
		}
		out.Start, out.End = p.PortNumber.Port, p.PortNumber.Port
	}
	if p.PortRange != nil {
		set++
		if out.Protocol, err = protocol(p.PortRange.Protocol); err != nil {
			return Port{}, err
		}
		r := p.PortRange
		if !validPort(r.Start) || !validPort(r.End) || r.Start >= r.End {
			return Port{}, fmt.Errorf("port range %d-%d is invalid (start must be below end, both in 1-65535)", r.Start, r.End)
		}
		out.Start, out.End = r.Start, r.End
	}
	if p.NamedPort != nil {
		set++
		if *p.NamedPort == "" {
			return Port{}, fmt.Errorf("namedPort is empty")
		}
		out.Name = *p.NamedPort
	}
	if set != 1 {
		return Port{}, fmt.Errorf("a port must set exactly one of portNumber, portRange, namedPort (has %d)", set)
	}
	return out, nil
}

// npPort compiles one NetworkPolicy port: protocol defaults to TCP, no port means every port of the
// protocol, a string port is a named port, endPort turns a number into a range.
func npPort(p networkingv1.NetworkPolicyPort) (Port, error) {
	proto := corev1.ProtocolTCP
	if p.Protocol != nil {
		var err error
		if proto, err = protocol(*p.Protocol); err != nil {
			return Port{}, err
		}
	}
	out := Port{Protocol: proto}
	if p.Port == nil {
		if p.EndPort != nil {
			return Port{}, fmt.Errorf("endPort needs port")
		}
		return out, nil
	}
	if p.Port.Type == intstr.String {
		if p.EndPort != nil {
			return Port{}, fmt.Errorf("endPort cannot be used with the named port %q", p.Port.StrVal)
		}
		if p.Port.StrVal == "" {
			return Port{}, fmt.Errorf("named port is empty")
		}
		out.Name = p.Port.StrVal
		return out, nil
	}
	out.Start, out.End = p.Port.IntVal, p.Port.IntVal
	if p.EndPort != nil {
		out.End = *p.EndPort
	}
	if !validPort(out.Start) || !validPort(out.End) || out.End < out.Start {
		return Port{}, fmt.Errorf("port %d to endPort %d is invalid", out.Start, out.End)
	}
	return out, nil
}
