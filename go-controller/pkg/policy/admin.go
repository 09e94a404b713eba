package policy

import (
	"errors"
	"fmt"
	"net/netip"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

// Priorities the Admin and Baseline tiers accept.
const (
	MinPriority = 0
	MaxPriority = 1000
)

// apiRule is an ANP, BANP or ClusterNetworkPolicy rule of either direction, with its peers in one
// shape, so all three kinds share one compiler. ports compiles the rule's ports or protocols.
type apiRule struct {
	name   string
	action string
	peers  []apiPeer
	ports  func() (ports []Port, anyPort bool, bad []string)
	// cnp marks a ClusterNetworkPolicy rule: its API limits items to 25, and a domainNames peer in an
	// Accept rule matches nothing rather than failing the rule.
	cnp bool
}

type apiPeer struct {
	namespaces  *metav1.LabelSelector
	pods        *anpv1alpha1.NamespacedPod
	nodes       *metav1.LabelSelector
	networks    []anpv1alpha1.CIDR
	domainNames []anpv1alpha1.DomainName
}

// FromANP compiles an AdminNetworkPolicy into tier 1.
func FromANP(anp *anpv1alpha1.AdminNetworkPolicy) *Policy {
	p := &Policy{Owner: Owner{Kind: KindANP, Name: anp.Name}, Tier: TierAdmin, Priority: anp.Spec.Priority}
	if anp.Spec.Priority < MinPriority || anp.Spec.Priority > MaxPriority {
		p.reject(ReasonInvalidPriority,
			fmt.Sprintf("priority %d is outside %d-%d", anp.Spec.Priority, MinPriority, MaxPriority))
	}
	var in, eg []apiRule
	for _, r := range anp.Spec.Ingress {
		in = append(in, apiRule{name: r.Name, action: string(r.Action), peers: ingressPeers(r.From),
			ports: anpPorts(r.Ports)})
	}
	for _, r := range anp.Spec.Egress {
		var peers []apiPeer
		for _, x := range r.To {
			peers = append(peers, apiPeer{namespaces: x.Namespaces, pods: x.Pods, nodes: x.Nodes,
				networks: x.Networks, domainNames: x.DomainNames})
		}
		eg = append(eg, apiRule{name: r.Name, action: string(r.Action), peers: peers, ports: anpPorts(r.Ports)})
	}
	p.compileAdmin(anp.Spec.Subject, in, eg, anpActions)
	p.Logging = loggingFromAnnotations(p, anp.Annotations)
	return p
}

// BANPName is the only name a BaselineAdminNetworkPolicy may have.
const BANPName = "default"

// FromBANP compiles a BaselineAdminNetworkPolicy into tier 3.
func FromBANP(banp *anpv1alpha1.BaselineAdminNetworkPolicy) *Policy {
	p := &Policy{Owner: Owner{Kind: KindBANP, Name: banp.Name}, Tier: TierBaseline}
	if banp.Name != BANPName {
		p.reject(ReasonInvalidName, fmt.Sprintf("a BaselineAdminNetworkPolicy must be named %q, not %q; it is ignored",
			BANPName, banp.Name))
	}
	var in, eg []apiRule
	for _, r := range banp.Spec.Ingress {
		in = append(in, apiRule{name: r.Name, action: string(r.Action), peers: ingressPeers(r.From),
			ports: anpPorts(r.Ports)})
	}
	for _, r := range banp.Spec.Egress {
		var peers []apiPeer
		for _, x := range r.To {
			peers = append(peers, apiPeer{namespaces: x.Namespaces, pods: x.Pods, nodes: x.Nodes, networks: x.Networks})
		}
		eg = append(eg, apiRule{name: r.Name, action: string(r.Action), peers: peers, ports: anpPorts(r.Ports)})
	}
	p.compileAdmin(banp.Spec.Subject, in, eg, banpActions)
	p.Logging = loggingFromAnnotations(p, banp.Annotations)
	return p
}

func ingressPeers(from []anpv1alpha1.AdminNetworkPolicyIngressPeer) []apiPeer {
	var out []apiPeer
	for _, x := range from {
		out = append(out, apiPeer{namespaces: x.Namespaces, pods: x.Pods})
	}
	return out
}

func (p *Policy) reject(reason, msg string) {
	p.Rejected = true
	p.Problems = append(p.Problems, Problem{Severity: SeverityError, Reason: reason, Message: msg})
}

func (p *Policy) compileAdmin(subj anpv1alpha1.AdminNetworkPolicySubject, in, eg []apiRule, actions map[string]Action) {
	var err error
	p.Subject, err = adminSubject(subj)
	if err != nil {
		p.reject(ReasonInvalidSubject, "subject: "+err.Error()+"; the policy is not programmed")
	}
	for i, r := range in {
		p.Ingress = append(p.Ingress, p.compileAdminRule(Ingress, i, r, actions))
	}
	for i, r := range eg {
		p.Egress = append(p.Egress, p.compileAdminRule(Egress, i, r, actions))
	}
}

func adminSubject(s anpv1alpha1.AdminNetworkPolicySubject) (Subject, error) {
	switch {
	case s.Namespaces != nil && s.Pods == nil:
		ns, err := selector(s.Namespaces)
		return Subject{NamespaceSelector: ns, PodSelector: labels.Everything()}, err
	case s.Pods != nil && s.Namespaces == nil:
		ns, err := selector(&s.Pods.NamespaceSelector)
		if err != nil {
			return Subject{}, err
		}
		pods, err := selector(&s.Pods.PodSelector)
		return Subject{NamespaceSelector: ns, PodSelector: pods}, err
	}
	return Subject{}, fmt.Errorf("exactly one of namespaces and pods must be set")
}

// compileAdminRule compiles one rule and applies the API's fail-closed text: a peer or port that cannot
// be understood makes an Allow rule match no traffic, and a Deny or Pass rule deny all traffic.
func (p *Policy) compileAdminRule(d Direction, i int, r apiRule, actions map[string]Action) Rule {
	action, known := actions[r.action]
	out := Rule{Direction: d, Index: i, Name: r.name, Action: action}
	where := fmt.Sprintf("%s rule %d", lower(d), i)
	if r.name != "" {
		where += fmt.Sprintf(" %q", r.name)
	}
	var bad []string
	if !known {
		bad = append(bad, fmt.Sprintf("unknown action %q", r.action))
		out.Action = ActionDeny
	}
	if r.cnp && len(r.peers) > CNPMaxItems {
		bad = append(bad, fmt.Sprintf("%d peers, the API allows at most %d", len(r.peers), CNPMaxItems))
	}
	for j, peer := range r.peers {
		compiled, err := adminPeer(peer)
		if err == nil && r.cnp && (len(peer.networks) > CNPMaxItems || len(peer.domainNames) > CNPMaxItems) {
			err = fmt.Errorf("more than %d networks or domainNames", CNPMaxItems)
		}
		if errors.Is(err, errDomainNames) && r.cnp && known && out.Action == ActionAllow {
			p.Problems = append(p.Problems, Problem{SeverityError, ReasonDomainNames,
				fmt.Sprintf("%s: peer %d: domainNames peers are not implemented; this peer matches nothing", where, j)})
			continue
		}
		if err == nil && len(peer.networks) > 0 {
			p.warnHostBits(fmt.Sprintf("%s peer %d", where, j), cidrStrings(peer.networks))
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("peer %d: %v", j, err))
			continue
		}
		out.Peers = append(out.Peers, compiled)
	}
	if len(r.peers) == 0 {
		p.Problems = append(p.Problems, Problem{SeverityError, ReasonFailClosed,
			where + ": has no peers; it matches no traffic"})
	}
	ports, anyPort, badPorts := r.ports()
	out.Ports, out.AnyPort = ports, anyPort
	bad = append(bad, badPorts...)
	if len(bad) == 0 {
		return out
	}
	reason := joinReasons(bad)
	if out.Action == ActionAllow {
		p.Problems = append(p.Problems, Problem{SeverityError, ReasonFailClosed,
			where + ": " + reason + "; the rule matches no traffic"})
		return Rule{Direction: d, Index: i, Name: r.name, Action: ActionAllow, FailedClosed: reason}
	}
	p.Problems = append(p.Problems, Problem{SeverityError, ReasonFailClosed,
		where + ": " + reason + "; the rule denies all traffic"})
	return Rule{Direction: d, Index: i, Name: r.name, Action: ActionDeny, AnyPeer: true, AnyPort: true,
		FailedClosed: reason}
}

var errDomainNames = errors.New("domainNames peers are not implemented yet")

func adminPeer(x apiPeer) (Peer, error) {
	set := 0
	var out Peer
	var err error
	if x.namespaces != nil {
		set++
		out = Peer{Kind: PeerPods, PodSelector: labels.Everything()}
		out.NamespaceSelector, err = selector(x.namespaces)
	}
	if x.pods != nil {
		set++
		out = Peer{Kind: PeerPods}
		if out.NamespaceSelector, err = selector(&x.pods.NamespaceSelector); err == nil {
			out.PodSelector, err = selector(&x.pods.PodSelector)
		}
	}
	if x.nodes != nil {
		set++
		out = Peer{Kind: PeerNodes}
		out.NodeSelector, err = selector(x.nodes)
	}
	if len(x.networks) > 0 {
		set++
		out = Peer{Kind: PeerNetworks}
		for _, c := range x.networks {
			prefix, perr := netip.ParsePrefix(string(c))
			if perr != nil {
				err = fmt.Errorf("invalid CIDR %q", c)
				break
			}
			out.Networks = append(out.Networks, IPBlock{CIDR: prefix.Masked()})
		}
	}
	if len(x.domainNames) > 0 {
		set++
		err = errDomainNames
	}
	if set != 1 {
		return Peer{}, fmt.Errorf("a peer must set exactly one field (has %d)", set)
	}
	return out, err
}

// The API action names each kind accepts, and what they compile to.
var (
	anpActions  = map[string]Action{"Allow": ActionAllow, "Deny": ActionDeny, "Pass": ActionPass}
	banpActions = map[string]Action{"Allow": ActionAllow, "Deny": ActionDeny}
	cnpActions  = map[string]Action{"Accept": ActionAllow, "Deny": ActionDeny, "Pass": ActionPass}
)
