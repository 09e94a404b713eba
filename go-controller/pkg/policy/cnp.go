package policy

import (
	"fmt"

	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// Limits of the ClusterNetworkPolicy API: rules per direction, and peers, protocols, networks and
// domain names per rule. The CRD enforces them; objects that bypass it (files) are checked here.
const (
	CNPMaxRules = 25
	CNPMaxItems = 25
)

// FromCNP compiles a ClusterNetworkPolicy into tier 1 (Admin) or tier 3 (Baseline).
func FromCNP(cnp *cnpv1beta1.ClusterNetworkPolicy) *Policy {
	p := &Policy{Owner: Owner{Kind: KindCNP, Name: cnp.Name}, Priority: cnp.Spec.Priority}
	switch cnp.Spec.Tier {
	case cnpv1beta1.AdminTier:
		p.Tier = TierAdmin
	case cnpv1beta1.BaselineTier:
		p.Tier = TierBaseline
	default:
		p.Tier = TierBaseline
		p.reject(ReasonInvalidTier,
			fmt.Sprintf("tier %q is neither Admin nor Baseline; the policy is not programmed", cnp.Spec.Tier))
	}
	if cnp.Spec.Priority < MinPriority || cnp.Spec.Priority > MaxPriority {
		p.reject(ReasonInvalidPriority,
			fmt.Sprintf("priority %d is outside %d-%d", cnp.Spec.Priority, MinPriority, MaxPriority))
	}
	for _, n := range []struct {
		dir   Direction
		rules int
	}{{Ingress, len(cnp.Spec.Ingress)}, {Egress, len(cnp.Spec.Egress)}} {
		if n.rules > CNPMaxRules {
			p.reject(ReasonTooManyRules, fmt.Sprintf("%d %s rules, the API allows at most %d; the policy is not programmed",
				n.rules, lower(n.dir), CNPMaxRules))
		}
	}
	var in, eg []apiRule
	for _, r := range cnp.Spec.Ingress {
		var peers []apiPeer
		for _, x := range r.From {
			peers = append(peers, apiPeer{namespaces: x.Namespaces, pods: namespacedPod(x.Pods)})
		}
		in = append(in, apiRule{name: r.Name, action: string(r.Action), peers: peers, cnp: true,
			ports: cnpProtocols(r.Protocols, false)})
	}
	for _, r := range cnp.Spec.Egress {
		var peers []apiPeer
		podsOnly := true
		for _, x := range r.To {
			peers = append(peers, apiPeer{namespaces: x.Namespaces, pods: namespacedPod(x.Pods), nodes: x.Nodes,
				networks: cidrs(x.Networks), domainNames: domainNames(x.DomainNames)})
			podsOnly = podsOnly && x.Nodes == nil && len(x.Networks) == 0 && len(x.DomainNames) == 0
		}
		eg = append(eg, apiRule{name: r.Name, action: string(r.Action), peers: peers, cnp: true,
			ports: cnpProtocols(r.Protocols, !podsOnly)})
	}
	subject := anpv1alpha1.AdminNetworkPolicySubject{Namespaces: cnp.Spec.Subject.Namespaces,
		Pods: namespacedPod(cnp.Spec.Subject.Pods)}
	p.compileAdmin(subject, in, eg, cnpActions)
	p.Logging = loggingFromAnnotations(p, cnp.Annotations)
	return p
}

// namespacedPod views the CNP type as the ANP one: both have the same two selectors.
func namespacedPod(x *cnpv1beta1.NamespacedPod) *anpv1alpha1.NamespacedPod {
	return (*anpv1alpha1.NamespacedPod)(x)
}

func cidrs(in []cnpv1beta1.CIDR) []anpv1alpha1.CIDR {
	var out []anpv1alpha1.CIDR
	for _, c := range in {
		out = append(out, anpv1alpha1.CIDR(c))
	}
	return out
}

func domainNames(in []cnpv1beta1.DomainName) []anpv1alpha1.DomainName {
	var out []anpv1alpha1.DomainName
	for _, d := range in {
		out = append(out, anpv1alpha1.DomainName(d))
	}
	return out
}

// cnpProtocols compiles a rule's protocols; none means every protocol and port. noNamedPorts is set
// when the rule has a nodes, networks or domainNames peer, which the API forbids with named ports.
func cnpProtocols(protos []cnpv1beta1.ClusterNetworkPolicyProtocol, noNamedPorts bool) func() ([]Port, bool, []string) {
	return func() ([]Port, bool, []string) {
		if len(protos) == 0 {
			return nil, true, nil
		}
		var out []Port
		var bad []string
		if len(protos) > CNPMaxItems {
			bad = append(bad, fmt.Sprintf("%d protocols, the API allows at most %d", len(protos), CNPMaxItems))
		}
		for j, x := range protos {
			compiled, err := cnpProtocol(x)
			if err == nil && compiled.Name != "" && noNamedPorts {
				err = fmt.Errorf("destinationNamedPort cannot be used with nodes, networks or domainNames peers")
			}
			if err != nil {
				bad = append(bad, fmt.Sprintf("protocol %d: %v", j, err))
				continue
			}
			out = append(out, compiled)
		}
		return out, false, bad
	}
}

// cnpProtocol compiles one protocol entry; exactly one of tcp, udp, sctp, destinationNamedPort.
func cnpProtocol(x cnpv1beta1.ClusterNetworkPolicyProtocol) (Port, error) {
	set := 0
	var out Port
	var dest *cnpv1beta1.Port
	if x.TCP != nil {
		set++
		out.Protocol, dest = "TCP", x.TCP.DestinationPort
	}
	if x.UDP != nil {
		set++
		out.Protocol, dest = "UDP", x.UDP.DestinationPort
	}
	if x.SCTP != nil {
		set++
		out.Protocol, dest = "SCTP", x.SCTP.DestinationPort
	}
	if x.DestinationNamedPort != "" {
		set++
		out = Port{Name: x.DestinationNamedPort}
	}
	if set != 1 {
		return Port{}, fmt.Errorf("a protocol must set exactly one of tcp, udp, sctp, destinationNamedPort (has %d)", set)
	}
	if out.Name != "" {
		return out, nil
	}
	if dest == nil {
		return Port{}, fmt.Errorf("%s: destinationPort is required", out.Protocol)
	}
	switch {
	case dest.Number != 0 && dest.Range != nil, dest.Number == 0 && dest.Range == nil:
		return Port{}, fmt.Errorf("%s: destinationPort must set exactly one of number and range", out.Protocol)
	case dest.Range != nil:
		r := dest.Range
		if !validPort(r.Start) || !validPort(r.End) || r.Start >= r.End {
			return Port{}, fmt.Errorf("port range %d-%d is invalid (start must be below end, both in 1-65535)", r.Start, r.End)
		}
		out.Start, out.End = r.Start, r.End
	default:
		if !validPort(dest.Number) {
			return Port{}, fmt.Errorf("port %d is outside 1-65535", dest.Number)
		}
		out.Start, out.End = dest.Number, dest.Number
	}
	return out, nil
}
