package ovnsandbox

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// Netns is an endpoint of the datapath: a network namespace whose eth0 is a veth into br-int, bound
// to a logical switch port. It stands for a pod, or for a node's host stack.
type Netns struct {
	// Name is the network namespace's name, for `ip netns exec`.
	Name string
	// Key is "<namespace>/<pod>" for a pod, "node/<name>" for a node.
	Key  string
	Port Port
	// HostLink is the veth end on br-int, inside the bed's switch namespace.
	HostLink string
}

// Netns returns the endpoint added under key ("<namespace>/<pod>" or "node/<name>"), or nil.
func (b *Bed) Netns(key string) *Netns {
	if b.datapath == nil {
		return nil
	}
	return b.datapath.endpoints[key]
}

// AddPodNamespace gives a pod a network namespace bound to its logical port (see PodPort; create the
// port with ApplyTopology) and waits until the port is up in the SB.
func (b *Bed) AddPodNamespace(ctx context.Context, pod *corev1.Pod) (*Netns, error) {
	port, ok := PodPort(pod)
	if !ok {
		return nil, fmt.Errorf("pod %s/%s has no logical port (host network, or no IP); its traffic "+
			"comes from its node: use AddNodeNamespace", pod.Namespace, pod.Name)
	}
	return b.addEndpoint(ctx, pod.Namespace+"/"+pod.Name, port)
}

// AddNodeNamespace gives a node's host stack a namespace bound to its node port, which ApplyTopology
// made; host-network pods of the node use it too.
func (b *Bed) AddNodeNamespace(ctx context.Context, node string) (*Netns, error) {
	b.mu.Lock()
	var port Port
	ok := false
	if b.topology != nil {
		port, ok = b.topology.Nodes[node]
	}
	b.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("node %q has no port: apply a topology with the node and its IPs first", node)
	}
	return b.addEndpoint(ctx, "node/"+node, port)
}

func (b *Bed) addEndpoint(ctx context.Context, key string, port Port) (*Netns, error) {
	dp := b.datapath
	if dp == nil {
		return nil, fmt.Errorf("datapath not started")
	}
	if _, dup := dp.endpoints[key]; dup {
		return nil, fmt.Errorf("%s already has a namespace", key)
	}
	// Names are short: interface names have at most 15 bytes.
	index := dp.nextIndex
	dp.nextIndex++
	n := &Netns{Name: "tb" + b.ID + "-" + strconv.Itoa(index), Key: key, Port: port,
		HostLink: dp.linkPrefix + strconv.Itoa(index)}
	if err := b.addNetns(ctx, n.Name); err != nil {
		return nil, err
	}
	dp.endpoints[key] = n
	steps := [][]string{
		{"ip", "link", "add", "eth0", "netns", n.Name, "type", "veth", "peer", "name", n.HostLink, "netns", dp.switchNS},
		{"ip", "-n", n.Name, "link", "set", "eth0", "address", port.MAC},
	}
	has4, has6 := false, false
	for _, ip := range port.IPs {
		if ip.Is4() {
			has4 = true
			steps = append(steps, []string{"ip", "-n", n.Name, "addr", "add", ip.String() + "/32", "dev", "eth0"})
		} else {
			has6 = true
			steps = append(steps, []string{"ip", "-n", n.Name, "addr", "add", ip.String() + "/128", "dev", "eth0", "nodad"})
		}
	}
	steps = append(steps,
		[]string{"ip", "-n", n.Name, "link", "set", "eth0", "up"},
		[]string{"ip", "netns", "exec", n.Name, "ethtool", "-K", "eth0", "tx", "off"},
		[]string{"ip", "-n", dp.switchNS, "link", "set", n.HostLink, "up"})
	// On-link default routes: every address is on the one logical switch, which answers ARP and ND.
	if has4 {
		steps = append(steps, []string{"ip", "-n", n.Name, "-4", "route", "add", "default", "dev", "eth0"})
	}
	if has6 {
		steps = append(steps, []string{"ip", "-n", n.Name, "-6", "route", "add", "default", "dev", "eth0"})
	}
	for _, step := range steps {
		if _, err := b.runArgv(ctx, step); err != nil {
			return nil, err
		}
	}
	if _, err := b.VSCtl(ctx, "--timeout=20", "add-port", BridgeName, n.HostLink, "--", "set", "interface", n.HostLink,
		"external_ids:iface-id="+port.Name); err != nil {
		return nil, err
	}
	if _, err := b.SBCtl(ctx, "--timeout=20", "wait-until", "port_binding", port.Name, "up=true"); err != nil {
		return nil, fmt.Errorf("port %s did not come up: %w\n%s", port.Name, err, b.Logs(10))
	}
	return n, nil
}

// addNetns creates a network namespace with loopback up and records it for Stop.
func (b *Bed) addNetns(ctx context.Context, name string) error {
	if _, err := b.runArgv(ctx, []string{"ip", "netns", "add", name}); err != nil {
		return err
	}
	b.datapath.namespaces = append(b.datapath.namespaces, name)
	if err := appendLine(filepath.Join(b.Dir, netnsRecord), name); err != nil {
		return err
	}
	_, err := b.runArgv(ctx, []string{"ip", "-n", name, "link", "set", "lo", "up"})
	return err
}

// Exec runs a command inside an endpoint's namespace and returns its stdout.
func (b *Bed) Exec(ctx context.Context, n *Netns, args ...string) (string, error) {
	return b.runArgv(ctx, append([]string{"ip", "netns", "exec", n.Name}, args...))
}

// startInNetns prepares a long-running command in a namespace; the caller owns the process.
func (b *Bed) startInNetns(n *Netns, args ...string) *exec.Cmd {
	cmd := exec.Command("ip", append([]string{"netns", "exec", n.Name}, args...)...)
	cmd.Env = b.env()
	cmd.Dir = b.Dir
	return cmd
}

// timeoutArg formats a duration for tieracl-probe's --timeout flag.
func timeoutArg(d time.Duration) string { return "--timeout=" + d.String() }
