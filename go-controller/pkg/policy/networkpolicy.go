package policy

import (
	"fmt"
	"net/netip"
	"slices"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// FromNetworkPolicy compiles a NetworkPolicy into tier 2. Every rule allows; what the rules do not allow
// is denied by the isolation of the selected pods in the policy's directions. nsAnnotations are the
// annotations of the policy's namespace, where ACL logging is asked for.
func FromNetworkPolicy(np *networkingv1.NetworkPolicy, nsAnnotations map[string]string) *Policy {
	p := &Policy{Owner: Owner{Kind: KindNetworkPolicy, Namespace: np.Namespace, Name: np.Name}, Tier: TierNetworkPolicy}
	podSel, err := selector(&np.Spec.PodSelector)
	if err != nil {
		p.reject(ReasonInvalidSubject, "podSelector: "+err.Error()+"; the policy is not programmed")
	}
	p.Subject = Subject{Namespace: np.Namespace, NamespaceSelector: labels.Everything(), PodSelector: podSel}
	p.Isolates = policyTypes(np)
	if p.IsolatesDirection(Ingress) {
		for i, r := range np.Spec.Ingress {
			p.Ingress = append(p.Ingress, p.compileNPRule(Ingress, i, r.From, r.Ports))
		}
	}
	if p.IsolatesDirection(Egress) {
		for i, r := range np.Spec.Egress {
			p.Egress = append(p.Egress, p.compileNPRule(Egress, i, r.To, r.Ports))
		}
	}
	p.Logging = loggingFromAnnotations(p, nsAnnotations)
	return p
}

// policyTypes applies the API's default: Ingress always, Egress when there are egress rules. The API
// server accepts a type listed twice; it counts once.
func policyTypes(np *networkingv1.NetworkPolicy) []Direction {
	if len(np.Spec.PolicyTypes) == 0 {
		out := []Direction{Ingress}
		if len(np.Spec.Egress) > 0 {
			out = append(out, Egress)
		}
		return out
	}
	var out []Direction
	for _, t := range np.Spec.PolicyTypes {
		d := Direction("")
		switch t {
		case networkingv1.PolicyTypeIngress:
			d = Ingress
		case networkingv1.PolicyTypeEgress:
			d = Egress
		}
		if d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// compileNPRule compiles one rule. NetworkPolicy only allows, so a peer or port that cannot be
// understood matches nothing: the pod stays isolated for that traffic.
func (p *Policy) compileNPRule(d Direction, i int, peers []networkingv1.NetworkPolicyPeer,
	ports []networkingv1.NetworkPolicyPort) Rule {
	out := Rule{Direction: d, Index: i, Action: ActionAllow, AnyPeer: len(peers) == 0, AnyPort: len(ports) == 0}
	var bad []string
	for j, peer := range peers {
		compiled, err := npPeer(p.Owner.Namespace, peer)
		if err == nil && peer.IPBlock != nil {
			cidrs := append([]string{peer.IPBlock.CIDR}, peer.IPBlock.Except...)
			p.warnHostBits(fmt.Sprintf("%s rule %d peer %d", lower(d), i, j), cidrs)
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("peer %d: %v", j, err))
			continue
		}
		out.Peers = append(out.Peers, compiled)
	}
	for j, port := range ports {
		compiled, err := npPort(port)
		if err != nil {
			bad = append(bad, fmt.Sprintf("port %d: %v", j, err))
			continue
		}
		out.Ports = append(out.Ports, compiled)
	}
	if len(bad) > 0 {
		out.FailedClosed = joinReasons(bad)
		p.Problems = append(p.Problems, Problem{SeverityError, ReasonFailClosed,
			fmt.Sprintf("%s rule %d: %s; those parts match no traffic", lower(d), i, out.FailedClosed)})
	}
	return out
}

func npPeer(namespace string, x networkingv1.NetworkPolicyPeer) (Peer, error) {
	if x.IPBlock != nil {
		if x.PodSelector != nil || x.NamespaceSelector != nil {
			return Peer{}, fmt.Errorf("ipBlock cannot be combined with selectors")
		}
		return ipBlockPeer(x.IPBlock)
	}
	switch {
	case x.PodSelector == nil && x.NamespaceSelector == nil:
		return Peer{}, fmt.Errorf("a peer must set podSelector, namespaceSelector or ipBlock")
	case x.NamespaceSelector == nil:
		pods, err := selector(x.PodSelector)
		return Peer{Kind: PeerPods, Namespace: namespace, PodSelector: pods}, err
	}
	ns, err := selector(x.NamespaceSelector)
	if err != nil {
		return Peer{}, err
	}
	pods := labels.Everything()
	if x.PodSelector != nil {
		if pods, err = selector(x.PodSelector); err != nil {
			return Peer{}, err
		}
	}
	return Peer{Kind: PeerPods, NamespaceSelector: ns, PodSelector: pods}, nil
}

func ipBlockPeer(b *networkingv1.IPBlock) (Peer, error) {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil {
		return Peer{}, fmt.Errorf("invalid ipBlock cidr %q", b.CIDR)
	}
	block := IPBlock{CIDR: cidr.Masked()}
	for _, e := range b.Except {
		ex, err := netip.ParsePrefix(e)
		if err != nil {
			return Peer{}, fmt.Errorf("invalid ipBlock except %q", e)
		}
		// The API rejects an except that is not a strict subset of the cidr (one of the other IP family
		// among them): the peer is invalid, not the except ignored.
		if !StrictSubset(ex, cidr) {
			return Peer{}, fmt.Errorf("ipBlock except %q is not a strict subset of cidr %q", e, b.CIDR)
		}
		block.Except = append(block.Except, ex.Masked())
	}
	return Peer{Kind: PeerNetworks, Networks: []IPBlock{block}}, nil
}
