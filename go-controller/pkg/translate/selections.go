package translate

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// SelectionKind says what kind of endpoints a port group or address set holds.
type SelectionKind string

// The selection kinds; each comment says which row holds it and what its members are.
const (
	SelectSubject   SelectionKind = "Subject"   // a port group: the logical ports of a policy's subject pods
	SelectPods      SelectionKind = "Pods"      // an address set: the IPs of the pods a peer selects
	SelectNodes     SelectionKind = "Nodes"     // an address set: the IPs of the nodes a peer selects
	SelectNamedPort SelectionKind = "NamedPort" // an address set: the IPs of pods where a named port is Protocol/Number
)

// Selection is what one port group or address set holds, in terms of selectors, so that the controller
// can keep its members in step with pod, namespace and node changes without translating everything again.
type Selection struct {
	Kind SelectionKind
	// Family is "ipv4" or "ipv6" for address sets, empty for port groups.
	Family string
	// Subject and Pods: Namespace when the selection is inside one namespace, else NamespaceSelector.
	Namespace         string
	NamespaceSelector labels.Selector
	PodSelector       labels.Selector
	// Nodes.
	NodeSelector labels.Selector
	// NamedPort: the port's name, the protocol filter of the rule ("" for any) and the value it resolves
	// to on the set's pods.
	PortName     string
	PortFilter   corev1.Protocol
	PortProtocol corev1.Protocol
	PortNumber   int32
	// Set, Shard and Shards: a shard row is shard Shard of Shards of the address set named Set, and holds
	// the selected addresses that ShardOf puts there. Shards is 0 for a row that is a whole set.
	Set    string
	Shard  int
	Shards int
}

// NamedPortRef is a named port that some rule refers to, with the rule's protocol filter ("" for any).
type NamedPortRef struct {
	Name   string
	Filter corev1.Protocol
}
