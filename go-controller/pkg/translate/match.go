package translate

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// The match of a rule's ACL is three clauses joined by &&:
//
//	subject:  outport == @pg (ingress, to-lport) or inport == @pg (egress, from-lport)
//	peers:    (ip4.src == {$set_v4, 10.0.0.0/8} || ip6.src == {$set_v6}), or `ip` for any peer; a sharded
//	          set is all its shards: {$set_v4_s0, $set_v4_s1, ...}
//	ports:    (tcp.dst == {80, 443} || (udp.dst >= 5000 && udp.dst <= 5100) || sctp || <named ports>)
//
// Address sets stand for selected pods and nodes, so pod churn changes set rows, never the ACL's match.

// subjectClause is the clause that limits an ACL to the policy's subject.
func subjectClause(d policy.Direction, pg string) string {
	if d == policy.Ingress {
		return "outport == @" + pg
	}
	return "inport == @" + pg
}

// peerField is the address field that holds the peer: the source of ingress, the destination of egress.
func peerField(d policy.Direction) string {
	if d == policy.Ingress {
		return "src"
	}
	return "dst"
}

// peerClause returns the peers' clause, or ok=false when the peers can match nothing.
func (b *builder) peerClause(r policy.Rule) (string, bool) {
	if r.AnyPeer {
		return "ip", true
	}
	field := peerField(r.Direction)
	var v4, v6, terms []string
	for _, p := range r.Peers {
		switch p.Kind {
		case policy.PeerPods, policy.PeerNodes:
			fs := b.sets.forPeer(p)
			for _, row := range fs.v4 {
				v4 = append(v4, "$"+row)
			}
			for _, row := range fs.v6 {
				v6 = append(v6, "$"+row)
			}
		case policy.PeerNetworks:
			for _, blk := range p.Networks {
				fam := family(blk.CIDR.Addr().Is4())
				if len(blk.Except) == 0 {
					if fam == "ip4" {
						v4 = append(v4, blk.CIDR.String())
					} else {
						v6 = append(v6, blk.CIDR.String())
					}
					continue
				}
				var except []string
				for _, e := range blk.Except {
					except = append(except, e.String())
				}
				terms = append(terms, fmt.Sprintf("(%s.%s == %s && %s.%s != %s)", fam, field, blk.CIDR, fam, field, set(except)))
			}
		}
	}
	if len(v4) > 0 {
		terms = slices.Insert(terms, 0, "ip4."+field+" == "+set(dedupe(v4)))
	}
	if len(v6) > 0 {
		terms = append(terms, "ip6."+field+" == "+set(dedupe(v6)))
	}
	if len(terms) == 0 {
		return "", false
	}
	return "(" + strings.Join(terms, " || ") + ")", true
}

// portClause returns the ports' clause ("" for any port), or ok=false when the ports can match nothing
// (e.g. only named ports that no pod has). A port OVN cannot match is an error: the rule must fail closed.
func (b *builder) portClause(r policy.Rule) (string, bool, error) {
	if r.AnyPort {
		return "", true, nil
	}
	numbers := map[corev1.Protocol][]string{}
	var terms []string
	for _, p := range r.Ports {
		if err := checkPort(p); err != nil {
			return "", false, err
		}
		proto := strings.ToLower(string(p.Protocol))
		switch {
		case p.Name != "":
			res := b.sets.forNamedPort(p.Name, p.Protocol)
			if len(res.ignored) > 0 {
				b.problem(policy.SeverityWarning, policy.ReasonInvalidPort, fmt.Sprintf(
					"named port %q is not a valid container port (1-65535, TCP, UDP or SCTP) on %s; "+
						"those pods are left out of it", p.Name, strings.Join(res.ignored, ", ")))
			}
			for _, g := range res.groups {
				gp := strings.ToLower(string(g.protocol))
				terms = append(terms,
					fmt.Sprintf("((ip4.dst == %s || ip6.dst == %s) && %s.dst == %d)", setRefs(g.sets.v4), setRefs(g.sets.v6),
						gp, g.number))
			}
		case p.Start == 0:
			terms = append(terms, proto)
		case p.Start == p.End:
			numbers[p.Protocol] = append(numbers[p.Protocol], strconv.Itoa(int(p.Start)))
		default:
			terms = append(terms, fmt.Sprintf("(%s.dst >= %d && %s.dst <= %d)", proto, p.Start, proto, p.End))
		}
	}
	var protos []string
	for proto := range numbers {
		protos = append(protos, string(proto))
	}
	sort.Strings(protos)
	var numTerms []string
	for _, proto := range protos {
		numTerms = append(numTerms,
			fmt.Sprintf("%s.dst == %s", strings.ToLower(proto), set(dedupe(numbers[corev1.Protocol(proto)]))))
	}
	terms = append(numTerms, dedupe(terms)...)
	if len(terms) == 0 {
		return "", false, nil
	}
	return "(" + strings.Join(terms, " || ") + ")", true, nil
}

// ruleMatch joins the clauses; ok is false when the rule can match nothing, and then it gets no ACL. An
// error means the rule cannot be written as OVN would enforce it (see failClosed).
func (b *builder) ruleMatch(pg string, r policy.Rule) (string, bool, error) {
	peers, ok := b.peerClause(r)
	if !ok {
		return "", false, nil
	}
	ports, ok, err := b.portClause(r)
	if !ok {
		return "", false, err
	}
	// One concatenation each: subjectClause, spelled out.
	port := "outport == @"
	if r.Direction != policy.Ingress {
		port = "inport == @"
	}
	var match string
	if ports == "" {
		match = port + pg + " && " + peers
	} else {
		match = port + pg + " && " + peers + " && " + ports
	}
	return match, true, b.checkRuleMatch(match)
}

func family(v4 bool) string {
	if v4 {
		return "ip4"
	}
	return "ip6"
}

// set prints one value bare and several as an OVN set.
func set(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return "{" + strings.Join(values, ", ") + "}"
}

// dedupe drops repeated values, keeping the first occurrence's order.
func dedupe(values []string) []string {
	if len(values) <= 1 {
		return values
	}
	if len(values) <= 8 { // the usual few: compared with each other, no map
		out := values[:0:0]
		for _, v := range values {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	seen := map[string]bool{}
	out := values[:0:0]
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
