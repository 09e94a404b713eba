package cluster

import (
	"net/netip"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Pod is a pod as network policy sees it: its API object, its parsed IPs and its OVN logical port.
type Pod struct {
	*corev1.Pod
	IPs []netip.Addr
	// LogicalPort is the OVN logical switch port of the pod; empty for host-network pods, which have none.
	LogicalPort string
	// Ord is the pod's position in Index.Pods(), so callers can keep per-pod data in slices.
	Ord int
}

// Key is "<namespace>/<name>".
func (p *Pod) Key() string { return p.Namespace + "/" + p.Name }

// Selectable reports whether policy can select the pod at all, as a subject or a pod peer: the API
// excludes host-network pods, and finished pods hold no addresses.
func (p *Pod) Selectable() bool {
	if p.Spec.HostNetwork {
		return false
	}
	return p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed
}

// Node is a node with the IPs of its status.addresses.
type Node struct {
	*corev1.Node
	IPs []netip.Addr
}

// PortNamer names a pod's logical switch port. DefaultPortName is the OVN-Kubernetes convention.
type PortNamer func(namespace, pod string) string

// DefaultPortName returns "<namespace>_<pod>".
func DefaultPortName(namespace, pod string) string { return namespace + "_" + pod }

// Index answers the selector queries of the translator and the evaluators over one Snapshot.
// Pods, namespaces and nodes are kept sorted by name so every query returns a deterministic order.
type Index struct {
	Snapshot   *Snapshot
	namespaces map[string]*corev1.Namespace
	pods       []*Pod
	podsByKey  map[string]*Pod
	// podRuns are the namespaces that hold pods, each with its run of pods: the pods of one namespace
	// are contiguous in key order ("<namespace>/" is a prefix of all their keys and of no other key).
	podRuns  []podRun
	podRunOf map[string]int // namespace -> index into podRuns
	// runLabels are the labels of each podRun's namespace (see NamespaceLabels).
	runLabels []labels.Set
	// selectable is Pod.Selectable of each pod of pods.
	selectable []bool
	memo       selectionMemo
	// labelClass numbers the distinct label sets of pods (index into pods -> class), so SelectPods
	// matches a pod selector once per label set: many pods share theirs.
	labelClass []int
	classes    int
	nodes      []*Node
	nodesByKey map[string]*Node
}

// NewIndex builds the index; portName may be nil for DefaultPortName.
func NewIndex(s *Snapshot, portName PortNamer) *Index {
	if portName == nil {
		portName = DefaultPortName
	}
	ix := &Index{Snapshot: s, namespaces: map[string]*corev1.Namespace{},
		podsByKey: make(map[string]*Pod, len(s.Pods)), nodesByKey: map[string]*Node{}}
	for _, ns := range s.Namespaces {
		ix.namespaces[ns.Name] = ns
	}
	keyed := make([]keyedPod, 0, len(s.Pods))
	for _, p := range s.Pods {
		pod := &Pod{Pod: p, IPs: PodIPs(p)}
		if !p.Spec.HostNetwork {
			pod.LogicalPort = portName(p.Namespace, p.Name)
		}
		keyed = append(keyed, keyedPod{pod.Key(), pod})
		ix.podsByKey[pod.Key()] = pod
	}
	slices.SortFunc(keyed, func(a, b keyedPod) int { return strings.Compare(a.key, b.key) })
	ix.pods = make([]*Pod, len(keyed))
	for i, k := range keyed {
		ix.pods[i] = k.pod
	}
	ix.podRunOf = map[string]int{}
	ix.selectable = make([]bool, len(ix.pods))
	for i, p := range ix.pods {
		p.Ord = i
		ix.selectable[i] = p.Selectable()
	}
	classOf := map[string]int{}
	ix.labelClass = make([]int, len(ix.pods))
	for i, p := range ix.pods {
		key := labels.Set(p.Labels).String()
		c, ok := classOf[key]
		if !ok {
			c = len(classOf)
			classOf[key] = c
		}
		ix.labelClass[i] = c
	}
	ix.classes = len(classOf)
	for i, p := range ix.pods {
		if n := len(ix.podRuns); n > 0 && ix.podRuns[n-1].namespace == p.Namespace {
			ix.podRuns[n-1].end = i + 1
			continue
		}
		ix.podRuns = append(ix.podRuns, podRun{namespace: p.Namespace, start: i, end: i + 1})
	}
	ix.runLabels = make([]labels.Set, len(ix.podRuns))
	for i, r := range ix.podRuns {
		ix.podRunOf[r.namespace] = i
		ix.runLabels[i] = ix.NamespaceLabels(r.namespace)
	}
	ix.indexRunLabels()
	for _, n := range s.Nodes {
		node := &Node{Node: n, IPs: NodeIPs(n)}
		ix.nodes = append(ix.nodes, node)
		ix.nodesByKey[n.Name] = node
	}
	sort.Slice(ix.nodes, func(i, j int) bool { return ix.nodes[i].Name < ix.nodes[j].Name })
	return ix
}

// Namespace returns the namespace or nil.
func (ix *Index) Namespace(name string) *corev1.Namespace { return ix.namespaces[name] }

// Pod returns the pod "<namespace>/<name>" or nil.
func (ix *Index) Pod(key string) *Pod { return ix.podsByKey[key] }

// Node returns the node or nil.
func (ix *Index) Node(name string) *Node { return ix.nodesByKey[name] }

// Pods returns every pod, selectable or not, sorted by key.
func (ix *Index) Pods() []*Pod { return ix.pods }

// Nodes returns every node, sorted by name.
func (ix *Index) Nodes() []*Node { return ix.nodes }

// NamespaceLabels returns the labels of a pod's namespace. A namespace missing from the snapshot has
// only the label Kubernetes always sets, kubernetes.io/metadata.name.
func (ix *Index) NamespaceLabels(name string) labels.Set {
	if ns := ix.namespaces[name]; ns != nil {
		return labels.Set(ns.Labels)
	}
	return labels.Set{corev1.LabelMetadataName: name}
}

type keyedPod struct {
	key string
	pod *Pod
}

// podRun is the pods of one namespace: ix.pods[start:end].
type podRun struct {
	namespace  string
	start, end int
}

// SelectPods returns the selectable pods whose namespace matches nsSel and whose labels match podSel,
// sorted by key. Each distinct selector is matched once per namespace, and once per pod label set.
func (ix *Index) SelectPods(nsSel, podSel labels.Selector) []*Pod {
	return ix.podsAt(ix.SelectPodOrds(nsSel, podSel))
}

// SelectPodsIn returns the selectable pods of one namespace whose labels match podSel, sorted by key.
func (ix *Index) SelectPodsIn(namespace string, podSel labels.Selector) []*Pod {
	return ix.podsAt(ix.SelectPodOrdsIn(namespace, podSel))
}

// SelectPodOrds is SelectPods as the pods' Ords, for callers that keep what they need per pod in slices.
// Callers on several goroutines share the memo; the lock covers only its maps.
func (ix *Index) SelectPodOrds(nsSel, podSel labels.Selector) []int32 {
	nsKey, podKey := selectorKey(nsSel), selectorKey(podSel)
	ix.memo.mu.Lock()
	matched := ix.classMatches(podKey)
	runs := ix.matchingRuns(nsSel, nsKey)
	ix.memo.mu.Unlock()
	var out []int32
	for _, i := range runs {
		r := ix.podRuns[i]
		out = ix.appendSelected(out, r.start, r.end, podSel, matched)
	}
	return out
}

// SelectPodOrdsIn is SelectPodsIn as the pods' Ords.
func (ix *Index) SelectPodOrdsIn(namespace string, podSel labels.Selector) []int32 {
	i, ok := ix.podRunOf[namespace]
	if !ok {
		return nil
	}
	key := selectorKey(podSel)
	ix.memo.mu.Lock()
	matched := ix.classMatches(key)
	ix.memo.mu.Unlock()
	r := ix.podRuns[i]
	return ix.appendSelected(nil, r.start, r.end, podSel, matched)
}

func (ix *Index) podsAt(ords []int32) []*Pod {
	if len(ords) == 0 {
		return nil
	}
	out := make([]*Pod, len(ords))
	for i, o := range ords {
		out[i] = ix.pods[o]
	}
	return out
}

// SelectNodes returns the nodes whose labels match sel.
func (ix *Index) SelectNodes(sel labels.Selector) []*Node {
	var out []*Node
	for _, n := range ix.nodes {
		if sel.Matches(labels.Set(n.Labels)) {
			out = append(out, n)
		}
	}
	return out
}

// PodIPs parses status.podIPs (or status.podIP when the list is empty); unparsable entries are skipped.
func PodIPs(p *corev1.Pod) []netip.Addr {
	var raw []string
	for _, ip := range p.Status.PodIPs {
		raw = append(raw, ip.IP)
	}
	if len(raw) == 0 && p.Status.PodIP != "" {
		raw = append(raw, p.Status.PodIP)
	}
	return parseAddrs(raw)
}

// NodeIPs parses every IP address in status.addresses, whatever its type; host names do not parse.
func NodeIPs(n *corev1.Node) []netip.Addr {
	var raw []string
	for _, a := range n.Status.Addresses {
		raw = append(raw, a.Address)
	}
	return parseAddrs(raw)
}

func parseAddrs(raw []string) []netip.Addr {
	var out []netip.Addr
	for _, s := range raw {
		ip, err := netip.ParseAddr(s)
		if err != nil || slices.Contains(out, ip.Unmap()) { // an object lists one or two addresses
			continue
		}
		out = append(out, ip.Unmap())
	}
	return out
}

// NamedPort finds the container port named name on the pod; ok is false when there is none, and when it
// is not a valid port (see BadNamedPort): no packet has such a port, and OVN drops an ACL that names one
// (`tcp.dst == 65536`, `icmp.dst == 80`), so the port must not reach a match.
func NamedPort(p *corev1.Pod, name string) (port corev1.ContainerPort, ok bool) {
	cp, ok := namedPort(p, name)
	return cp, ok && validContainerPort(cp)
}

// BadNamedPort reports the container port named name when its number is outside 1-65535 or its protocol
// is not TCP, UDP or SCTP. The API server rejects such a pod, but one can still arrive (an old object, a
// kubelet that skips validation).
func BadNamedPort(p *corev1.Pod, name string) (corev1.ContainerPort, bool) {
	cp, ok := namedPort(p, name)
	return cp, ok && !validContainerPort(cp)
}

func validContainerPort(cp corev1.ContainerPort) bool {
	switch cp.Protocol {
	case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		return cp.ContainerPort >= 1 && cp.ContainerPort <= 65535
	}
	return false
}

func namedPort(p *corev1.Pod, name string) (port corev1.ContainerPort, ok bool) {
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == name {
				if cp.Protocol == "" {
					cp.Protocol = corev1.ProtocolTCP
				}
				return cp, true
			}
		}
	}
	return corev1.ContainerPort{}, false
}
