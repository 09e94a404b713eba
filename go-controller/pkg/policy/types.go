// Package policy is the internal form every network policy kind compiles into: one tier, one priority,
// a subject, and ordered rules with an action, peers and ports. ClusterNetworkPolicy (tiers Admin and
// Baseline, priorities 0 to 1000, actions Accept/Deny/Pass), ANP, BANP and NetworkPolicy compile into it
// here, so the translator and the ACL evaluator never see API kinds.
package policy

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Tier is the OVN ACL tier a policy lives in; lower tiers are evaluated first.
type Tier int

// The tiers, numbered as OVN numbers ACL tiers.
const (
	TierAdmin         Tier = 1 // ClusterNetworkPolicy tier Admin, AdminNetworkPolicy
	TierNetworkPolicy Tier = 2 // networking.k8s.io/v1 NetworkPolicy
	TierBaseline      Tier = 3 // ClusterNetworkPolicy tier Baseline, BaselineAdminNetworkPolicy
)

func (t Tier) String() string {
	switch t {
	case TierAdmin:
		return "Admin"
	case TierNetworkPolicy:
		return "NetworkPolicy"
	case TierBaseline:
		return "Baseline"
	}
	return fmt.Sprintf("Tier(%d)", int(t))
}

// Kind names the API kind a policy came from.
type Kind string

// The kinds, spelled as the Kubernetes API spells them.
const (
	KindANP           Kind = "AdminNetworkPolicy"
	KindBANP          Kind = "BaselineAdminNetworkPolicy"
	KindNetworkPolicy Kind = "NetworkPolicy"
	KindCNP           Kind = "ClusterNetworkPolicy" // v1beta1, and v1alpha2 converted to it
)

// Owner identifies the API object a policy, and every NB row made from it, belongs to.
type Owner struct {
	Kind      Kind
	Namespace string // empty for cluster-scoped kinds
	Name      string
}

// String is "Kind/name" or "Kind/namespace/name".
func (o Owner) String() string {
	if o.Namespace != "" {
		return string(o.Kind) + "/" + o.Namespace + "/" + o.Name
	}
	return string(o.Kind) + "/" + o.Name
}

// Action is what a matching rule does. NetworkPolicy rules are all Allow; their implicit deny is the
// policy's isolation (Policy.Isolates).
type Action string

// The actions: Allow and Deny end evaluation; Pass skips the rest of the tier.
const (
	ActionAllow Action = "Allow"
	ActionDeny  Action = "Deny"
	ActionPass  Action = "Pass"
)

// Direction is the direction of a rule relative to its subject.
type Direction string

// The directions, spelled as NetworkPolicy's policyTypes spell them.
const (
	Ingress Direction = "Ingress"
	Egress  Direction = "Egress"
)

// Policy is one compiled policy.
type Policy struct {
	Owner    Owner
	Tier     Tier
	Priority int32 // 0 to 1000 in the Admin and Baseline tiers (the BANP counts as 0); 0 for NetworkPolicy
	Subject  Subject
	// Isolates lists the directions in which the subject's traffic is denied unless a rule allows it:
	// NetworkPolicy's policyTypes. Empty for cluster policies, whose unmatched traffic falls through.
	Isolates []Direction
	Ingress  []Rule
	Egress   []Rule
	Logging  Logging
	// Problems are the reasons the policy is not, or not wholly, programmed as written. A policy with an
	// Error problem in Rejected is not programmed at all.
	Problems []Problem
	Rejected bool
}

// Rules returns the rules of one direction.
func (p *Policy) Rules(d Direction) []Rule {
	if d == Ingress {
		return p.Ingress
	}
	return p.Egress
}

// IsolatesDirection reports whether the policy isolates its subject in direction d.
func (p *Policy) IsolatesDirection(d Direction) bool {
	for _, x := range p.Isolates {
		if x == d {
			return true
		}
	}
	return false
}

// Subject selects the pods a policy applies to: selectable pods whose namespace matches
// NamespaceSelector (or, when Namespace is set, is that namespace) and whose labels match PodSelector.
type Subject struct {
	Namespace         string
	NamespaceSelector labels.Selector
	PodSelector       labels.Selector
}

// Rule is one ingress or egress rule. Peers name the other end of the traffic (sources for ingress,
// destinations for egress); Ports restrict the destination port.
type Rule struct {
	Direction Direction
	Index     int // position in the policy's list for its direction, from 0
	Name      string
	Action    Action
	// AnyPeer is true when the rule matches every peer (NetworkPolicy's empty from/to, or a rule that
	// fails closed to "deny all"); otherwise it matches when any of Peers does, so no peers match nothing.
	AnyPeer bool
	Peers   []Peer
	// AnyPort is true when the rule does not filter on ports; otherwise it matches when any of Ports does.
	AnyPort bool
	Ports   []Port
	// FailedClosed holds the reason when the rule was rewritten to fail closed (see Problem).
	FailedClosed string
}

// MatchesNothing reports whether the rule can never match (e.g. an Allow rule whose only peer failed
// closed).
func (r *Rule) MatchesNothing() bool {
	return (!r.AnyPeer && len(r.Peers) == 0) || (!r.AnyPort && len(r.Ports) == 0)
}

// PeerKind says which field of a Peer is in use.
type PeerKind string

// The peer kinds.
const (
	PeerPods     PeerKind = "Pods"     // selectable pods, by namespace and pod labels
	PeerNodes    PeerKind = "Nodes"    // the IPs of the selected nodes' status.addresses
	PeerNetworks PeerKind = "Networks" // CIDRs, which match any address including pods' and nodes'
)

// Peer is one element of a rule's from/to list.
type Peer struct {
	Kind PeerKind
	// Pods: selectable pods whose namespace matches NamespaceSelector (or, when Namespace is set, is
	// that namespace) and whose labels match PodSelector.
	Namespace         string
	NamespaceSelector labels.Selector
	PodSelector       labels.Selector
	// Nodes.
	NodeSelector labels.Selector
	// Networks.
	Networks []IPBlock
}

// Key identifies what the peer selects, so rules whose peers select the same things share one address
// set. Two peers with equal keys select the same addresses in every cluster.
func (p Peer) Key() string {
	switch p.Kind {
	case PeerPods:
		if p.Namespace != "" {
			return "pods in namespace " + p.Namespace + " where " + selectorText(p.PodSelector)
		}
		return "pods where namespace " + selectorText(p.NamespaceSelector) + " and pod " + selectorText(p.PodSelector)
	case PeerNodes:
		return "nodes where " + selectorText(p.NodeSelector)
	}
	return fmt.Sprintf("networks %v", p.Networks)
}

func selectorText(s labels.Selector) string {
	if s == nil || s.Empty() {
		return "(all)"
	}
	return "(" + s.String() + ")"
}

// IPBlock is a CIDR less the CIDRs in Except.
type IPBlock struct {
	CIDR   netip.Prefix
	Except []netip.Prefix
}

func (b IPBlock) String() string {
	if len(b.Except) == 0 {
		return b.CIDR.String()
	}
	return fmt.Sprintf("%s except %v", b.CIDR, b.Except)
}

// Contains reports whether ip is in the block.
func (b IPBlock) Contains(ip netip.Addr) bool {
	if !b.CIDR.Contains(ip) {
		return false
	}
	for _, e := range b.Except {
		if e.Contains(ip) {
			return false
		}
	}
	return true
}

// Port matches a destination port. Exactly one of the forms is used:
//   - a number or range: Protocol set, Start <= port <= End (Start == End for one port);
//   - all ports of a protocol: Protocol set, Start == End == 0;
//   - a named port: Name set; the destination must be a pod with a container port of that name (and of
//     Protocol, when Protocol is set) whose number is the destination port.
type Port struct {
	Protocol corev1.Protocol
	Start    int32
	End      int32
	Name     string
}

func (p Port) String() string {
	switch {
	case p.Name != "" && p.Protocol != "":
		return fmt.Sprintf("%s/%s", p.Protocol, p.Name)
	case p.Name != "":
		return p.Name
	case p.Start == 0:
		return string(p.Protocol)
	case p.Start == p.End:
		return fmt.Sprintf("%s/%d", p.Protocol, p.Start)
	}
	return fmt.Sprintf("%s/%d-%d", p.Protocol, p.Start, p.End)
}

// Logging carries the ACL log severity per action; an empty severity means that action is not logged.
type Logging struct {
	Allow string
	Deny  string
	Pass  string
}

// Severity is how much a problem matters to the policy.
type Severity string

const (
	// SeverityError means part of the policy is not programmed as written (it failed closed or was rejected).
	SeverityError Severity = "Error"
	// SeverityWarning means the policy is programmed, but the user should know something (e.g. a priority tie).
	SeverityWarning Severity = "Warning"
)

// Problem is a reason, meant for the policy's status and events, why the policy is not programmed as
// written. Reason is a CamelCase word for status conditions; Message says what and where.
type Problem struct {
	Severity Severity
	Reason   string
	Message  string
}

func (p Problem) String() string { return fmt.Sprintf("%s %s: %s", p.Severity, p.Reason, p.Message) }

// Reasons used in Problems.
const (
	ReasonFailClosed       = "FailClosed"       // a rule or peer could not be understood; rule rewritten per the API
	ReasonInvalidSubject   = "InvalidSubject"   // the subject selector is malformed; it selects no pods
	ReasonInvalidName      = "InvalidName"      // a BANP not named "default"
	ReasonInvalidPriority  = "InvalidPriority"  // priority outside 0..1000
	ReasonPriorityConflict = "PriorityConflict" // another policy has the same priority in the same tier
	ReasonTierFull         = "TierFull"         // no ACL priorities left in the tier
	ReasonInvalidLogging   = "InvalidLogging"   // the acl-logging annotation does not parse
	ReasonInvalidTier      = "InvalidTier"      // a ClusterNetworkPolicy tier other than Admin or Baseline
	ReasonTooManyRules     = "TooManyRules"     // more rules in a direction than the API allows
	ReasonCIDRHostBits     = "CIDRHostBits"     // a CIDR has bits set past its prefix length; it is masked
	ReasonInvalidPort      = "InvalidPort"      // a pod's named container port is not 1-65535 TCP/UDP/SCTP
	ReasonInternalError    = "InternalError"    // tieracl generated a row it must not commit; a bug
)

// ReasonDomainNames says a ClusterNetworkPolicy Accept rule's domainNames peer, not implemented, matches
// nothing.
const ReasonDomainNames = "DomainNamesNotImplemented"
