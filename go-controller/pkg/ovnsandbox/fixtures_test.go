package ovnsandbox

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

func pod(namespace, name, node string, ips ...string) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec:       corev1.PodSpec{NodeName: node},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for _, ip := range ips {
		p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: ip})
	}
	return p
}

func hostNetwork(p *corev1.Pod) *corev1.Pod { p.Spec.HostNetwork = true; return p }

func node(name string, ips ...string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, ip := range ips {
		n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip})
	}
	return n
}

// twoPodSnapshot is the fixture of the bed tests: a client pod and a server pod on two nodes, and a
// host-network pod whose traffic comes from node-1's host stack.
func twoPodSnapshot() *cluster.Snapshot {
	return &cluster.Snapshot{
		Nodes: []*corev1.Node{node("node-1", "172.18.0.2"), node("node-2", "172.18.0.3")},
		Pods: []*corev1.Pod{
			pod("alpha", "client", "node-1", "10.244.0.5"),
			pod("beta", "server", "node-2", "10.244.1.6"),
			hostNetwork(pod("kube-system", "agent", "node-1", "172.18.0.2")),
		},
	}
}
