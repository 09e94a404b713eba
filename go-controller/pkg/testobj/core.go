package testobj

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// A tweak changes an object after its constructor has filled in the defaults. Each kind has its own tweak
// interface; a MetaTweak (Labels, Annotations) is a tweak of every kind.
type (
	// PodTweak changes a Pod.
	PodTweak interface{ tweakPod(*corev1.Pod) }
	// NamespaceTweak changes a Namespace.
	NamespaceTweak interface{ tweakNamespace(*corev1.Namespace) }
	// NodeTweak changes a Node.
	NodeTweak interface{ tweakNode(*corev1.Node) }
)

type (
	podFn  func(*corev1.Pod)
	nodeFn func(*corev1.Node)
)

func (f podFn) tweakPod(p *corev1.Pod)    { f(p) }
func (f nodeFn) tweakNode(n *corev1.Node) { f(n) }

// MetaTweak changes an object's metadata; it is a tweak of every kind.
type MetaTweak func(metav1.Object)

func (f MetaTweak) tweakPod(p *corev1.Pod)             { f(p) }
func (f MetaTweak) tweakNamespace(n *corev1.Namespace) { f(n) }
func (f MetaTweak) tweakNode(n *corev1.Node)           { f(n) }

// pairs reads key, value pairs into m; an odd last key gets the empty value.
func pairs(m map[string]string, kv []string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	for i := 0; i < len(kv); i += 2 {
		v := ""
		if i+1 < len(kv) {
			v = kv[i+1]
		}
		m[kv[i]] = v
	}
	return m
}

// Labels adds labels from key, value pairs.
func Labels(kv ...string) MetaTweak {
	return func(o metav1.Object) { o.SetLabels(pairs(o.GetLabels(), kv)) }
}

// Annotations adds annotations from key, value pairs.
func Annotations(kv ...string) MetaTweak {
	return func(o metav1.Object) { o.SetAnnotations(pairs(o.GetAnnotations(), kv)) }
}

// Namespace makes a namespace with its kubernetes.io/metadata.name label, as the API server sets it.
func Namespace(name string, tweaks ...NamespaceTweak) *corev1.Namespace {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name,
		Labels: map[string]string{corev1.LabelMetadataName: name}}}
	for _, t := range tweaks {
		t.tweakNamespace(ns)
	}
	return ns
}

// Pod makes a running pod on node-1 with no IPs; IP adds them.
func Pod(ns, name string, tweaks ...PodTweak) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:   corev1.PodSpec{NodeName: "node-1"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	for _, t := range tweaks {
		t.tweakPod(p)
	}
	return p
}

// IP adds pod IPs, in order; the first is also the pod's status.podIP.
func IP(ips ...string) PodTweak {
	return podFn(func(p *corev1.Pod) {
		for _, ip := range ips {
			p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: ip})
		}
		if len(p.Status.PodIPs) > 0 {
			p.Status.PodIP = p.Status.PodIPs[0].IP
		}
	})
}

// OnNode puts the pod on a node.
func OnNode(node string) PodTweak { return podFn(func(p *corev1.Pod) { p.Spec.NodeName = node }) }

// Phase sets the pod's phase.
func Phase(phase corev1.PodPhase) PodTweak {
	return podFn(func(p *corev1.Pod) { p.Status.Phase = phase })
}

// HostNetwork makes the pod a host-network pod holding these (its node's) IPs.
func HostNetwork(ips ...string) PodTweak {
	return podFn(func(p *corev1.Pod) {
		p.Spec.HostNetwork = true
		p.Status.PodIPs, p.Status.PodIP = nil, ""
		IP(ips...).tweakPod(p)
	})
}

// Ports adds a container with these ports.
func Ports(ports ...corev1.ContainerPort) PodTweak {
	return podFn(func(p *corev1.Pod) {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: "c", Ports: ports})
	})
}

// Port is a named container port; protocol "" means TCP.
func Port(name string, number int32, protocol corev1.Protocol) corev1.ContainerPort {
	if protocol == "" {
		protocol = corev1.ProtocolTCP
	}
	return corev1.ContainerPort{Name: name, ContainerPort: number, Protocol: protocol}
}

// Node makes a node; NodeIP adds its InternalIPs.
func Node(name string, tweaks ...NodeTweak) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	for _, t := range tweaks {
		t.tweakNode(n)
	}
	return n
}

// NodeIP adds InternalIP addresses to a node.
func NodeIP(ips ...string) NodeTweak {
	return nodeFn(func(n *corev1.Node) {
		for _, ip := range ips {
			n.Status.Addresses = append(n.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: ip})
		}
	})
}

// Sel is a matchLabels selector from key, value pairs; Sel() selects everything.
func Sel(kv ...string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: pairs(nil, kv)}
}

// Expr is a selector of one expression.
func Expr(key string, op metav1.LabelSelectorOperator, values ...string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
		{Key: key, Operator: op, Values: values}}}
}
