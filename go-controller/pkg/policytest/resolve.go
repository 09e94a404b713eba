package policytest

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// NodePrefix marks a node endpoint: "node/<name>".
const NodePrefix = "node/"

// Resolve turns a checked probe into a flow over the cluster. Errors start with the probe's field name,
// e.g. "to: pod slytherin/x not found".
func Resolve(ix *cluster.Index, p Probe) (eval.Flow, error) {
	family, err := probeFamily(p)
	if err != nil {
		return eval.Flow{}, err
	}
	src, _, err := resolveEndpoint(ix, p.From, family)
	if err != nil {
		return eval.Flow{}, fmt.Errorf("from: %w", err)
	}
	dst, dstPod, err := resolveEndpoint(ix, p.To, family)
	if err != nil {
		return eval.Flow{}, fmt.Errorf("to: %w", err)
	}
	protocol := corev1.Protocol(p.Protocol)
	if protocol == "" {
		protocol = corev1.ProtocolTCP
	}
	port, err := resolvePort(p.Port, protocol, dstPod)
	if err != nil {
		return eval.Flow{}, fmt.Errorf("port: %w", err)
	}
	return eval.Flow{Src: src, Dst: dst, Protocol: protocol, Port: port}, nil
}

// probeFamily is the probe's family: as written, else the family of an IP literal endpoint, else IPv4.
// IP literals must agree with it.
func probeFamily(p Probe) (string, error) {
	family := p.Family
	for _, end := range []struct{ field, value string }{{"from", p.From}, {"to", p.To}} {
		ip, err := netip.ParseAddr(end.value)
		if err != nil {
			continue
		}
		ipFamily := familyOf(ip)
		switch {
		case family == "":
			family = ipFamily
		case family != ipFamily:
			field := end.field
			if p.Family != "" {
				field = "family"
			}
			return "", fmt.Errorf("%s: %s is an %s address, but the probe's family is %s", field, ip, ipFamily, family)
		}
	}
	if family == "" {
		family = IPv4
	}
	return family, nil
}

func familyOf(ip netip.Addr) string {
	if ip.Unmap().Is4() {
		return IPv4
	}
	return IPv6
}

// resolveEndpoint resolves "<namespace>/<pod>", "node/<name>" or an IP address. An IP that belongs to
// a pod or a node is that pod or node, so the evaluators see what owns it. The pod is returned too
// (nil for other endpoints), for named ports.
func resolveEndpoint(ix *cluster.Index, spec, family string) (eval.Endpoint, *cluster.Pod, error) {
	if ip, err := netip.ParseAddr(spec); err == nil {
		return endpointOfIP(ix, ip.Unmap())
	}
	if name, ok := strings.CutPrefix(spec, NodePrefix); ok {
		node := ix.Node(name)
		if node == nil {
			return eval.Endpoint{}, nil, fmt.Errorf("node %s not found", name)
		}
		ip, ok := addrOfFamily(node.IPs, family)
		if !ok {
			return eval.Endpoint{}, nil, fmt.Errorf("node %s has no %s address in status.addresses", name, family)
		}
		return eval.Endpoint{IP: ip, Node: name}, nil, nil
	}
	ns, name, ok := strings.Cut(spec, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return eval.Endpoint{}, nil, fmt.Errorf("%q is not <namespace>/<pod>, node/<name> or an IP address", spec)
	}
	pod := ix.Pod(spec)
	if pod == nil {
		return eval.Endpoint{}, nil, fmt.Errorf("pod %s not found", spec)
	}
	ip, ok := addrOfFamily(pod.IPs, family)
	if !ok {
		return eval.Endpoint{}, nil, fmt.Errorf("pod %s has no %s address in status.podIPs", spec, family)
	}
	return eval.Endpoint{IP: ip, Pod: spec, LogicalPort: pod.LogicalPort}, pod, nil
}

// endpointOfIP finds what owns ip: a running pod with a logical port first (host-network pods share
// their node's address, finished pods hold none), then a node, else nothing: an outside address.
func endpointOfIP(ix *cluster.Index, ip netip.Addr) (eval.Endpoint, *cluster.Pod, error) {
	for _, pod := range ix.Pods() {
		if pod.Selectable() && containsAddr(pod.IPs, ip) {
			return eval.Endpoint{IP: ip, Pod: pod.Key(), LogicalPort: pod.LogicalPort}, pod, nil
		}
	}
	for _, node := range ix.Nodes() {
		if containsAddr(node.IPs, ip) {
			return eval.Endpoint{IP: ip, Node: node.Name}, nil, nil
		}
	}
	return eval.Endpoint{IP: ip}, nil, nil
}

func addrOfFamily(ips []netip.Addr, family string) (netip.Addr, bool) {
	for _, ip := range ips {
		if familyOf(ip) == family {
			return ip, true
		}
	}
	return netip.Addr{}, false
}

func containsAddr(ips []netip.Addr, ip netip.Addr) bool {
	for _, x := range ips {
		if x == ip {
			return true
		}
	}
	return false
}

// resolvePort returns the port number; a named port is looked up in the destination pod's containers,
// and its protocol must be the probe's.
func resolvePort(port intstr.IntOrString, protocol corev1.Protocol, dst *cluster.Pod) (int32, error) {
	if port.Type == intstr.Int {
		return port.IntVal, nil
	}
	if n, err := strconv.Atoi(port.StrVal); err == nil {
		if n < 1 || n > 65535 {
			return 0, fmt.Errorf("%d is not in 1-65535", n)
		}
		return int32(n), nil
	}
	if dst == nil {
		return 0, fmt.Errorf("named port %q needs a pod as the destination", port.StrVal)
	}
	cp, ok := cluster.NamedPort(dst.Pod, port.StrVal)
	if !ok {
		return 0, fmt.Errorf("pod %s has no container port named %q", dst.Key(), port.StrVal)
	}
	if cp.Protocol != protocol {
		return 0, fmt.Errorf("port %q of pod %s is %s, but the probe's protocol is %s", port.StrVal, dst.Key(), cp.Protocol,
			protocol)
	}
	return cp.ContainerPort, nil
}
