package ovnsandbox

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// SwitchName is the one logical switch of the bed. Every pod port and every node port sits on it.
//
// Why one switch: OVN evaluates from-lport ACLs in the ingress pipeline of the source port's switch and
// to-lport ACLs in the egress pipeline of the destination port's switch, each port in its own conntrack
// zone, and a Port_Group's ACLs are installed on every switch that holds one of its ports. Per-node
// switches joined by a router would only add routing (TTL, MAC rewrite) between the two ACL stages,
// which no policy ACL matches on, so one switch judges every flow as OVN-Kubernetes' topology would,
// without router ports and subnets to keep. Endpoints use on-link default routes; the switch's ARP/ND
// responder answers for every known address.
const SwitchName = "cluster"

// Port is a logical switch port the bed creates: a pod's, or a node's host stack.
type Port struct {
	Name string
	MAC  string
	IPs  []netip.Addr
	// ExternalIDs are set on the port: namespace and pod for pods, node for nodes.
	ExternalIDs map[string]string
}

// Addresses is the port's addresses and port_security value, "<mac> <ip>...".
func (p Port) Addresses() string {
	parts := []string{p.MAC}
	for _, ip := range p.IPs {
		parts = append(parts, ip.String())
	}
	return strings.Join(parts, " ")
}

// Topology is the bed's logical ports for one snapshot.
type Topology struct {
	// Pods maps "<namespace>/<name>" to the port of every pod that has one.
	Pods map[string]Port
	// Nodes maps a node name to the port standing for its host stack.
	Nodes map[string]Port
}

// NodePortName names the port standing for a node's host stack, after OVN-Kubernetes' management
// port, through which a node's own traffic enters its switch.
func NodePortName(node string) string { return "k8s-" + node }

// MACFor derives a port's MAC from its first IP the way OVN-Kubernetes does: 0a:58 then the last
// four bytes of the address.
func MACFor(ip netip.Addr) string {
	b := ip.As16()
	return fmt.Sprintf("0a:58:%02x:%02x:%02x:%02x", b[12], b[13], b[14], b[15])
}

// PodPort returns the logical port of a pod; ok is false for host-network pods and pods without IPs,
// which have none.
func PodPort(pod *corev1.Pod) (port Port, ok bool) {
	ips := cluster.PodIPs(pod)
	if pod.Spec.HostNetwork || len(ips) == 0 {
		return Port{}, false
	}
	return Port{
		Name:        cluster.DefaultPortName(pod.Namespace, pod.Name),
		MAC:         MACFor(ips[0]),
		IPs:         ips,
		ExternalIDs: map[string]string{"namespace": pod.Namespace, "pod": pod.Name},
	}, true
}

// TopologyOf computes the ports for a snapshot. A node's port holds the node's addresses and those of
// its host-network pods, as they share the node's host stack.
func TopologyOf(snap *cluster.Snapshot) (*Topology, error) {
	t := &Topology{Pods: map[string]Port{}, Nodes: map[string]Port{}}
	nodeIPs := map[string][]netip.Addr{}
	for _, n := range snap.Nodes {
		nodeIPs[n.Name] = cluster.NodeIPs(n)
	}
	for _, p := range snap.Pods {
		if port, ok := PodPort(p); ok {
			t.Pods[p.Namespace+"/"+p.Name] = port
			continue
		}
		if !p.Spec.HostNetwork {
			continue
		}
		ips, known := nodeIPs[p.Spec.NodeName]
		if !known {
			return nil, fmt.Errorf("host-network pod %s/%s is on node %q, which the snapshot lacks",
				p.Namespace, p.Name, p.Spec.NodeName)
		}
		for _, ip := range cluster.PodIPs(p) {
			if !containsAddr(ips, ip) {
				ips = append(ips, ip)
			}
		}
		nodeIPs[p.Spec.NodeName] = ips
	}
	for name, ips := range nodeIPs {
		if len(ips) == 0 {
			continue // nothing can address it
		}
		t.Nodes[name] = Port{Name: NodePortName(name), MAC: MACFor(ips[0]), IPs: ips,
			ExternalIDs: map[string]string{"node": name}}
	}
	return t, nil
}

// Ports returns every port, sorted by name.
func (t *Topology) Ports() []Port {
	var out []Port
	for _, p := range t.Pods {
		out = append(out, p)
	}
	for _, p := range t.Nodes {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ApplyTopology writes the snapshot's switch and ports into the NB in one ovn-nbctl transaction and
// waits for northd. It only adds and updates; ports of earlier snapshots stay. The ports are the CNI's
// part of the NB, which the controller never writes, so ovn-nbctl serves as well as libovsdb here.
func (b *Bed) ApplyTopology(ctx context.Context, snap *cluster.Snapshot) (*Topology, error) {
	t, err := TopologyOf(snap)
	if err != nil {
		return nil, err
	}
	args := []string{"--may-exist", "ls-add", SwitchName}
	for _, p := range t.Ports() {
		args = append(args, "--", "--may-exist", "lsp-add", SwitchName, p.Name,
			"--", "lsp-set-addresses", p.Name, p.Addresses(),
			"--", "lsp-set-port-security", p.Name, p.Addresses())
		keys := make([]string, 0, len(p.ExternalIDs))
		for k := range p.ExternalIDs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		set := []string{"--", "set", "logical_switch_port", p.Name}
		for _, k := range keys {
			set = append(set, fmt.Sprintf("external_ids:%s=%q", k, p.ExternalIDs[k]))
		}
		args = append(args, set...)
	}
	if _, err := b.NBCtl(ctx, args...); err != nil {
		return nil, err
	}
	if err := b.WaitNorthd(ctx); err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.topology = mergeTopology(b.topology, t)
	b.mu.Unlock()
	return t, nil
}

func mergeTopology(old, add *Topology) *Topology {
	if old == nil {
		return add
	}
	for k, v := range add.Pods {
		old.Pods[k] = v
	}
	for k, v := range add.Nodes {
		old.Nodes[k] = v
	}
	return old
}

func containsAddr(list []netip.Addr, ip netip.Addr) bool {
	for _, a := range list {
		if a == ip {
			return true
		}
	}
	return false
}

// Topology returns a copy of the ports every ApplyTopology so far made, e.g. for a backend judging flows
// on a bed someone else fills; empty before the first.
func (b *Bed) Topology() *Topology {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := &Topology{Pods: map[string]Port{}, Nodes: map[string]Port{}}
	if b.topology != nil {
		maps.Copy(t.Pods, b.topology.Pods)
		maps.Copy(t.Nodes, b.topology.Nodes)
	}
	return t
}
