package model

import (
	"fmt"
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// ruleResult is how an ANP, BANP or ClusterNetworkPolicy rule treats the flow.
type ruleResult struct {
	matched bool
	action  string // the step action of the rule's action, or Deny when the rule failed closed
	detail  string // why the rule failed closed; empty otherwise
}

// matchAdminRule applies the API's fail-closed text: a peer or port the evaluator cannot honor makes an
// Allow (Accept) rule match no traffic at all, and turns any other rule into "deny all traffic".
func (e *Evaluator) matchAdminRule(s side, r adminRule, actions map[string]string) ruleResult {
	var problems []string
	action, known := actions[r.action]
	if !known {
		problems = append(problems, fmt.Sprintf("unsupported action %q", r.action))
	}
	if r.cnp && len(r.peers) > cnpMaxItems {
		problems = append(problems, fmt.Sprintf("%d peers, more than %d", len(r.peers), cnpMaxItems))
	}
	peerHit := false
	for i, p := range r.peers {
		if r.cnp && action == eval.StepAllow && onlyDomainNames(p) {
			continue // not implemented: in an Accept rule such a peer matches nothing
		}
		hit, problem := e.matchAdminPeer(s, p)
		if problem == "" && r.cnp && (len(p.Networks) > cnpMaxItems || len(p.DomainNames) > cnpMaxItems) {
			hit, problem = false, "too many networks or domain names"
		}
		if problem != "" {
			problems = append(problems, fmt.Sprintf("peer %d: %s", i, problem))
		}
		peerHit = peerHit || hit
	}
	var portHit bool
	if r.cnp {
		var portProblems []string
		portHit, portProblems = matchCNPProtocols(s, r)
		problems = append(problems, portProblems...)
	} else {
		portHit = r.ports == nil // ports absent: the rule does not filter on ports
		if r.ports != nil {
			for i, p := range *r.ports {
				hit, problem := matchAdminPort(s, p)
				if problem != "" {
					problems = append(problems, fmt.Sprintf("port %d: %s", i, problem))
				}
				portHit = portHit || hit
			}
		}
	}
	if len(problems) > 0 {
		if known && action == eval.StepAllow {
			return ruleResult{matched: false, action: action}
		}
		return ruleResult{matched: true, action: eval.StepDeny, detail: "fail closed: " + strings.Join(problems, "; ")}
	}
	return ruleResult{matched: peerHit && portHit, action: action}
}

// onlyDomainNames reports whether a peer sets domainNames and nothing else.
func onlyDomainNames(p adminPeer) bool {
	return len(p.DomainNames) > 0 && p.Namespaces == nil && p.Pods == nil && p.Nodes == nil && len(p.Networks) == 0
}

// matchAdminPeer reports whether the peer matches the flow's other end; problem is set when the peer is
// one the evaluator cannot honor, in which case hit is false.
func (e *Evaluator) matchAdminPeer(s side, p adminPeer) (hit bool, problem string) {
	// An empty list is "not set": omitempty drops it on the wire, so the API server never tells them apart.
	set := 0
	fields := []bool{p.Namespaces != nil, p.Pods != nil, p.Nodes != nil, len(p.Networks) > 0, len(p.DomainNames) > 0}
	for _, isSet := range fields {
		if isSet {
			set++
		}
	}
	switch {
	case set == 0:
		return false, "no peer field set"
	case set > 1:
		return false, "more than one peer field set"
	case len(p.DomainNames) > 0:
		return false, "domainNames peers are not implemented"
	case p.Namespaces != nil:
		nsSel, err := selectorOf(p.Namespaces)
		if err != nil {
			return false, err.Error()
		}
		pod := s.selectablePeer()
		return pod != nil && nsSel.Matches(e.ix.NamespaceLabels(pod.Namespace)), ""
	case p.Pods != nil:
		nsSel, podSel, err := namespacedPodSelectors(p.Pods)
		if err != nil {
			return false, err.Error()
		}
		pod := s.selectablePeer()
		return pod != nil && nsSel.Matches(e.ix.NamespaceLabels(pod.Namespace)) && podSel.Matches(labels.Set(pod.Labels)), ""
	case p.Nodes != nil:
		sel, err := selectorOf(p.Nodes)
		if err != nil {
			return false, err.Error()
		}
		for _, n := range e.ix.SelectNodes(sel) {
			for _, ip := range n.IPs {
				if ip == s.peer.IP.Unmap() {
					return true, ""
				}
			}
		}
		return false, ""
	default: // Networks
		prefixes, err := parseCIDRs(p.Networks)
		if err != nil {
			return false, err.Error()
		}
		for _, pfx := range prefixes {
			if pfx.Contains(s.peer.IP.Unmap()) {
				return true, ""
			}
		}
		return false, ""
	}
}

// parseCIDRs parses every CIDR or fails on the first bad one: a peer with a bad CIDR is a bad peer.
func parseCIDRs(cidrs []anpv1alpha1.CIDR) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, c := range cidrs {
		pfx, err := netip.ParsePrefix(string(c))
		if err != nil {
			return nil, fmt.Errorf("invalid CIDR %q", c)
		}
		out = append(out, pfx.Masked())
	}
	return out, nil
}
