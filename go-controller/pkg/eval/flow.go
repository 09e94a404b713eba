// Package eval defines what both evaluators share: a flow, a verdict and the trail of steps that led to
// it. The policy model (eval/model) judges flows from the API's semantics; the ACL evaluator (eval/acl)
// judges them from the generated OVN rows. Tests and `tieracl test`/`explain` run either through Evaluator.
package eval

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
)

// Endpoint is one end of a flow.
type Endpoint struct {
	IP netip.Addr
	// Pod is "<namespace>/<name>" when the endpoint is a pod (host-network pods included).
	Pod string
	// Node is the node's name when the endpoint is a node address.
	Node string
	// LogicalPort is the pod's OVN logical switch port; empty when the endpoint has none (a node, an
	// outside address, a host-network pod). Only endpoints with a logical port have their side judged.
	LogicalPort string
}

func (e Endpoint) String() string {
	switch {
	case e.Pod != "":
		return fmt.Sprintf("%s(%s)", e.Pod, e.IP)
	case e.Node != "":
		return fmt.Sprintf("node/%s(%s)", e.Node, e.IP)
	}
	return e.IP.String()
}

// Flow is the first packet of a connection: source, destination, protocol and destination port.
type Flow struct {
	Src, Dst Endpoint
	Protocol corev1.Protocol // TCP, UDP or SCTP
	Port     int32
}

func (f Flow) String() string {
	return fmt.Sprintf("%s -> %s %s/%d", f.Src, f.Dst, f.Protocol, f.Port)
}

// Verdict is the outcome for one flow: allowed only if every judged side allows it.
type Verdict struct {
	Allowed bool
	// Egress is the source side's decision; nil when the source has no logical port.
	Egress *Decision
	// Ingress is the destination side's decision; nil when the destination has no logical port.
	Ingress *Decision
}

// Decision is one side's outcome and the steps that reached it, in evaluation order.
type Decision struct {
	Allowed bool
	Steps   []Step
}

// Step actions.
const (
	StepAllow    = "Allow"    // a rule or ACL allowed the flow
	StepDeny     = "Deny"     // a rule or ACL denied it
	StepPass     = "Pass"     // a rule or ACL passed it to the next tier
	StepNoMatch  = "NoMatch"  // nothing in this tier matched; evaluation goes on to the next tier
	StepIsolated = "Isolated" // NetworkPolicy isolates the pod and none of its rules allow the flow
	StepDefault  = "Default"  // no tier decided: the default, allow (Tier 0: it belongs to no tier)
)

// Step is one thing met while evaluating a side: a matched rule or ACL, or a tier that did not match.
type Step struct {
	Tier   int    `json:"tier"`
	Action string `json:"action"`
	// Policy is the owner ("AdminNetworkPolicy/name", "NetworkPolicy/ns/name"); empty for tier-wide steps.
	Policy    string `json:"policy,omitempty"`
	Priority  int32  `json:"priority,omitempty"` // the policy's API priority
	Rule      string `json:"rule,omitempty"`     // the rule's name
	RuleIndex int    `json:"ruleIndex"`          // -1 when the step is not a rule
	// ACL fields, set by the ACL evaluator.
	Stage       string `json:"stage,omitempty"` // from-lport, from-lport/after-lb, to-lport
	ACL         string `json:"acl,omitempty"`   // the ACL's name
	ACLPriority int    `json:"aclPriority,omitempty"`
	Match       string `json:"match,omitempty"`
	Detail      string `json:"detail,omitempty"` // free text, e.g. which address set matched
}

// Evaluator judges flows.
type Evaluator interface {
	Evaluate(f Flow) (Verdict, error)
}
