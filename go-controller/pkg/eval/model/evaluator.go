// Package model is the policy model: it judges a flow from the semantics of the ClusterNetworkPolicy,
// AdminNetworkPolicy, BaselineAdminNetworkPolicy and NetworkPolicy APIs, read straight from the API
// objects. It is the oracle the generated OVN ACLs are checked against, so it deliberately shares nothing
// with the translator (pkg/policy): a misreading of the API there must not be repeated here.
package model

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// defaultBANPName is the only BaselineAdminNetworkPolicy name the API accepts.
const defaultBANPName = "default"

// Evaluator judges flows against one snapshot. It is safe for concurrent use: nothing changes after New.
type Evaluator struct {
	ix *cluster.Index
	// admin holds the accepted ANPs and Admin ClusterNetworkPolicies, baseline the BANP named "default"
	// and the Baseline ClusterNetworkPolicies, each in precedence order: priority, kind, name.
	admin, baseline []*tierPolicy
	// netpols are sorted by namespace and name so the allowing policy a step names is deterministic.
	netpols []*networkingv1.NetworkPolicy
}

var _ eval.Evaluator = (*Evaluator)(nil)

// New prepares an evaluator for the snapshot, which it must not see change.
func New(s *cluster.Snapshot) *Evaluator {
	e := &Evaluator{ix: cluster.NewIndex(s, nil)}
	for _, anp := range s.ANPs {
		// The API bounds the priority to 0..1000; anything else is a policy the API server would reject.
		if anp.Spec.Priority >= 0 && anp.Spec.Priority <= 1000 {
			e.admin = append(e.admin, fromANP(anp))
		}
	}
	for _, banp := range s.BANPs {
		if banp.Name == defaultBANPName {
			e.baseline = append(e.baseline, fromBANP(banp))
			break
		}
	}
	for _, c := range s.CNPs {
		switch {
		case !cnpAccepted(c):
		case c.Spec.Tier == cnpv1beta1.AdminTier:
			e.admin = append(e.admin, fromCNP(c))
		default:
			e.baseline = append(e.baseline, fromCNP(c))
		}
	}
	// Equal priorities are ambiguous in the API; the project documents kind, then name, as the tie-break.
	for _, tier := range [][]*tierPolicy{e.admin, e.baseline} {
		sort.SliceStable(tier, func(i, j int) bool { return precedes(tier[i], tier[j]) })
	}
	e.netpols = append(e.netpols, s.NetworkPolicies...)
	sort.SliceStable(e.netpols, func(i, j int) bool {
		a, b := e.netpols[i], e.netpols[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return e
}

// Evaluate judges the egress side when the source has a logical port and the ingress side when the
// destination has one; the flow is allowed when every judged side allows it.
func (e *Evaluator) Evaluate(f eval.Flow) (eval.Verdict, error) {
	if !knownProtocol(f.Protocol) {
		return eval.Verdict{}, fmt.Errorf("flow %s: unknown protocol %q", f, f.Protocol)
	}
	src, err := e.endpointPod(f.Src)
	if err != nil {
		return eval.Verdict{}, fmt.Errorf("flow %s: source: %w", f, err)
	}
	dst, err := e.endpointPod(f.Dst)
	if err != nil {
		return eval.Verdict{}, fmt.Errorf("flow %s: destination: %w", f, err)
	}
	v := eval.Verdict{Allowed: true}
	if f.Src.LogicalPort != "" {
		if src == nil {
			return eval.Verdict{}, fmt.Errorf("flow %s: source has a logical port but names no pod", f)
		}
		d := e.judge(side{dir: egress, subject: src, peer: f.Dst, peerPod: dst, protocol: f.Protocol, port: f.Port})
		v.Egress = &d
		v.Allowed = v.Allowed && d.Allowed
	}
	if f.Dst.LogicalPort != "" {
		if dst == nil {
			return eval.Verdict{}, fmt.Errorf("flow %s: destination has a logical port but names no pod", f)
		}
		d := e.judge(side{dir: ingress, subject: dst, peer: f.Src, peerPod: src, protocol: f.Protocol, port: f.Port})
		v.Ingress = &d
		v.Allowed = v.Allowed && d.Allowed
	}
	return v, nil
}

// endpointPod finds the endpoint's pod; nil when the endpoint is not a pod. A pod name the snapshot does
// not know is the caller's mistake, not something to judge.
func (e *Evaluator) endpointPod(ep eval.Endpoint) (*cluster.Pod, error) {
	if ep.Pod == "" {
		return nil, nil
	}
	p := e.ix.Pod(ep.Pod)
	if p == nil {
		return nil, fmt.Errorf("pod %q is not in the snapshot", ep.Pod)
	}
	return p, nil
}

func knownProtocol(p corev1.Protocol) bool {
	return p == corev1.ProtocolTCP || p == corev1.ProtocolUDP || p == corev1.ProtocolSCTP
}
