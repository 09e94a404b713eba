package ovnbackend

import (
	"fmt"
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// OutsideNamespace holds the stand-in pods of outside addresses: each outside IP a probe touches gets
// a logical port of its own on the bed's switch, named "<OutsideNamespace>_ip-<address>". The port is
// in no port group, so no policy ACL is installed on it: a packet to it is delivered exactly when the
// source's egress ACLs let it go, and a packet from it meets only the destination's ingress ACLs.
const OutsideNamespace = "tieracl-outside"

// Endpoint kinds.
const (
	KindPod     = "pod"
	KindNode    = "node" // a node address, or a host-network pod sharing it
	KindOutside = "outside"
)

// Endpoint is where a flow's end enters or leaves the bed's switch.
type Endpoint struct {
	Kind string
	Port ovnsandbox.Port
	// Key names the endpoint's network namespace in the datapath: "<namespace>/<pod>" for pods and
	// outside addresses, "node/<name>" for nodes.
	Key string
	// Pod is the pod (a stand-in for an outside address) to give a namespace; nil for nodes.
	Pod *corev1.Pod
	// Node is the node's name for KindNode.
	Node string
}

// Narrowed is the port with only ip as its address, so a microflow built from it uses that address
// (Microflow takes a port's first IP, and a dual-stack pod's first is IPv4).
func (e Endpoint) Narrowed(ip netip.Addr) ovnsandbox.Port {
	p := e.Port
	p.IPs = []netip.Addr{ip}
	return p
}

// endpoints finds the port of a flow's end in a bed's topology.
type endpoints struct {
	topo  *ovnsandbox.Topology
	pods  map[string]*corev1.Pod
	byIP  map[netip.Addr]Endpoint // every address of every pod and node port
	extra map[netip.Addr]Endpoint // outside addresses, once made
}

func newEndpoints(snap *cluster.Snapshot, topo *ovnsandbox.Topology) (*endpoints, error) {
	e := &endpoints{topo: topo, pods: map[string]*corev1.Pod{}, byIP: map[netip.Addr]Endpoint{},
		extra: map[netip.Addr]Endpoint{}}
	for _, p := range snap.Pods {
		e.pods[p.Namespace+"/"+p.Name] = p
	}
	add := func(ep Endpoint) error {
		for _, ip := range ep.Port.IPs {
			if other, dup := e.byIP[ip]; dup {
				return fmt.Errorf("address %s is on two ports, %s and %s", ip, other.Port.Name, ep.Port.Name)
			}
			e.byIP[ip] = ep
		}
		return nil
	}
	for key, port := range topo.Pods {
		if err := add(Endpoint{Kind: KindPod, Port: port, Key: key, Pod: e.pods[key]}); err != nil {
			return nil, err
		}
	}
	for name, port := range topo.Nodes {
		if err := add(Endpoint{Kind: KindNode, Port: port, Key: policytest.NodePrefix + name, Node: name}); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// lookup returns the endpoint of a flow's end. A pod with a logical port is found by name, anything
// else by address; ok is false for an address the cluster does not hold, which needs an outside port.
func (e *endpoints) lookup(ep eval.Endpoint) (Endpoint, bool, error) {
	if ep.LogicalPort != "" {
		port, ok := e.topo.Pods[ep.Pod]
		if !ok {
			return Endpoint{}, false, fmt.Errorf("pod %s has no port in the bed's topology", ep.Pod)
		}
		if !containsAddr(port.IPs, ep.IP) {
			return Endpoint{}, false, fmt.Errorf("pod %s's port %s does not hold %s", ep.Pod, port.Name, ep.IP)
		}
		return Endpoint{Kind: KindPod, Port: port, Key: ep.Pod, Pod: e.pods[ep.Pod]}, true, nil
	}
	if found, ok := e.byIP[ep.IP]; ok {
		if found.Kind == KindPod && ep.Pod != found.Key {
			return Endpoint{}, false, fmt.Errorf("%s is the address of pod %s's port", ep, found.Key)
		}
		if ep.Node != "" && found.Node != ep.Node {
			return Endpoint{}, false, fmt.Errorf("%s is on %s, not on node %s's port", ep.IP, found.Port.Name, ep.Node)
		}
		return found, true, nil
	}
	if found, ok := e.extra[ep.IP]; ok {
		return found, true, nil
	}
	if ep.Pod != "" || ep.Node != "" {
		return Endpoint{}, false, fmt.Errorf("%s has no port in the bed's topology", ep)
	}
	return Endpoint{}, false, nil
}

// OutsidePod is the stand-in pod whose port carries an outside address.
func OutsidePod(ip netip.Addr) *corev1.Pod {
	name := "ip-" + strings.NewReplacer(".", "-", ":", "-").Replace(ip.String())
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: OutsideNamespace, Name: name},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning, PodIPs: []corev1.PodIP{{IP: ip.String()}}},
	}
}

// outsideEndpoint describes the endpoint of an outside address; its port exists once the stand-in pod's
// topology is applied.
func outsideEndpoint(ip netip.Addr) (Endpoint, error) {
	pod := OutsidePod(ip)
	port, ok := ovnsandbox.PodPort(pod)
	if !ok {
		return Endpoint{}, fmt.Errorf("no port for outside address %s", ip)
	}
	return Endpoint{Kind: KindOutside, Port: port, Key: pod.Namespace + "/" + pod.Name, Pod: pod}, nil
}

func containsAddr(list []netip.Addr, ip netip.Addr) bool {
	for _, a := range list {
		if a == ip {
			return true
		}
	}
	return false
}
