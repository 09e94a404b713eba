package acl

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

func rowACL(name, pg, dir string, tier, prio int, match, action string) nbrows.ACL {
	return nbrows.ACL{Name: name, PortGroup: pg, Direction: dir, Tier: tier, Priority: prio, Match: match,
		Action: action, ExternalIDs: map[string]string{}}
}

func afterLB(a nbrows.ACL) nbrows.ACL {
	a.Options = map[string]string{nbrows.OptionApplyAfterLB: "true"}
	return a
}

func testState(acls ...nbrows.ACL) *nbrows.State {
	return &nbrows.State{
		ACLs: acls,
		PortGroups: []nbrows.PortGroup{
			{Name: "pg_a", Ports: []string{"lsp-a"}},
			{Name: "pg_b", Ports: []string{"lsp-b"}},
			{Name: "pg_all", Ports: []string{"lsp-a", "lsp-b"}},
			{Name: "pg_other", Ports: []string{"lsp-z"}},
		},
		AddressSets: []nbrows.AddressSet{
			{Name: "np_v4", Addresses: []string{"10.0.0.2"}},
			{Name: "pods_v4", Addresses: []string{"10.0.0.0/24", "10.9.9.9"}},
			{Name: "pods_v6", Addresses: []string{"fd00::/64"}},
			{Name: "empty", Addresses: nil},
		},
	}
}

func flow(src, srcLP, dst, dstLP string, proto corev1.Protocol, port int32) eval.Flow {
	return eval.Flow{
		Src:      eval.Endpoint{IP: netip.MustParseAddr(src), LogicalPort: srcLP},
		Dst:      eval.Endpoint{IP: netip.MustParseAddr(dst), LogicalPort: dstLP},
		Protocol: proto, Port: port,
	}
}

// summary prints a decision's steps as "stage:tier:action[:acl]", comma-separated; "-" for no decision.
func summary(d *eval.Decision) string {
	if d == nil {
		return "-"
	}
	var parts []string
	for _, s := range d.Steps {
		p := fmt.Sprintf("%s:%d:%s", s.Stage, s.Tier, s.Action)
		if s.ACL != "" {
			p += ":" + s.ACL
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

const (
	to   = nbrows.ToLport
	from = nbrows.FromLport
)

func TestEvaluate(t *testing.T) {
	tcp80 := flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 80)
	defaults := "from-lport:0:Default, from-lport/after-lb:0:Default"
	tests := []struct {
		name    string
		acls    []nbrows.ACL
		flow    eval.Flow
		allowed bool
		egress  string
		ingress string
	}{
		{name: "no ACLs allows", flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:0:Default"},
		{name: "lower tier decides first",
			acls: []nbrows.ACL{
				rowACL("t2-allow", "pg_b", to, 2, 1000, "outport == @pg_b", nbrows.ActionAllowRelated),
				rowACL("t1-drop", "pg_b", to, 1, 1, "outport == @pg_b", nbrows.ActionDrop),
			},
			flow: tcp80, allowed: false, egress: defaults, ingress: "to-lport:1:Deny:t1-drop"},
		{name: "pass falls through to the next tier",
			acls: []nbrows.ACL{
				rowACL("t1-pass", "pg_b", to, 1, 1000, "outport == @pg_b && tcp", nbrows.ActionPass),
				rowACL("t1-drop", "pg_b", to, 1, 999, "outport == @pg_b", nbrows.ActionDrop),
				rowACL("t2-drop", "pg_b", to, 2, 1, "outport == @pg_b", nbrows.ActionDrop),
			},
			flow: tcp80, allowed: false, egress: defaults, ingress: "to-lport:1:Pass:t1-pass, to-lport:2:Deny:t2-drop"},
		{name: "pass at the last tier allows",
			acls: []nbrows.ACL{rowACL("t3-pass", "pg_b", to, 3, 1, "outport == @pg_b", nbrows.ActionPass)},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:3:Pass:t3-pass, to-lport:0:Default"},
		{name: "tiers without ACLs for the port leave no step",
			acls: []nbrows.ACL{
				rowACL("t1-pass", "pg_b", to, 1, 1, "outport == @pg_b", nbrows.ActionPass),
				rowACL("t2-other", "pg_other", to, 2, 1, "outport == @pg_other", nbrows.ActionDrop),
			},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:1:Pass:t1-pass, to-lport:0:Default"},
		{name: "no match in a tier moves on",
			acls: []nbrows.ACL{
				rowACL("t1-udp", "pg_b", to, 1, 1, "outport == @pg_b && udp", nbrows.ActionDrop),
				rowACL("t3-allow", "pg_b", to, 3, 1, "outport == @pg_b", nbrows.ActionAllow),
			},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:1:NoMatch, to-lport:3:Allow:t3-allow"},
		{name: "highest priority in a tier wins",
			acls: []nbrows.ACL{
				rowACL("allow-100", "pg_b", to, 1, 100, "outport == @pg_b", nbrows.ActionAllowRelated),
				rowACL("drop-200", "pg_b", to, 1, 200, "outport == @pg_b", nbrows.ActionDrop),
			},
			flow: tcp80, allowed: false, egress: defaults, ingress: "to-lport:1:Deny:drop-200"},
		{name: "allow-related above drop allows",
			acls: []nbrows.ACL{
				rowACL("allow-200", "pg_b", to, 2, 200, "outport == @pg_b && tcp.dst == 80", nbrows.ActionAllowRelated),
				rowACL("drop-100", "pg_b", to, 2, 100, "outport == @pg_b", nbrows.ActionDrop),
			},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:2:Allow:allow-200"},
		{name: "reject denies",
			acls: []nbrows.ACL{rowACL("rej", "pg_b", to, 0, 1, "1", "reject")},
			flow: tcp80, allowed: false, egress: defaults, ingress: "to-lport:0:Deny:rej"},
		{name: "allow-stateless allows",
			acls: []nbrows.ACL{rowACL("sl", "pg_b", to, 0, 1, "1", "allow-stateless")},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:0:Allow:sl"},
		{name: "from-lport has two stages, both must allow",
			acls: []nbrows.ACL{
				rowACL("pre", "pg_a", from, 1, 1, "inport == @pg_a", nbrows.ActionAllowRelated),
				afterLB(rowACL("post", "pg_a", from, 1, 1, "inport == @pg_a && ip4.dst == 10.0.0.2", nbrows.ActionDrop)),
			},
			flow: tcp80, allowed: false, egress: "from-lport:1:Allow:pre, from-lport/after-lb:1:Deny:post",
			ingress: "to-lport:0:Default"},
		{name: "a deny in the first from-lport stage ends the side",
			acls: []nbrows.ACL{
				rowACL("pre", "pg_a", from, 1, 1, "inport == @pg_a", nbrows.ActionDrop),
				afterLB(rowACL("post", "pg_a", from, 1, 1, "inport == @pg_a", nbrows.ActionAllow)),
			},
			flow: tcp80, allowed: false, egress: "from-lport:1:Deny:pre", ingress: "to-lport:0:Default"},
		{name: "after-lb stage alone",
			acls: []nbrows.ACL{afterLB(rowACL("post", "pg_a", from, 2, 1, "inport == @pg_a", nbrows.ActionPass))},
			flow: tcp80, allowed: true, egress: "from-lport:0:Default, from-lport/after-lb:2:Pass:post, " +
				"from-lport/after-lb:0:Default",
			ingress: "to-lport:0:Default"},
		{name: "to-lport ACLs judge only the destination's port",
			acls: []nbrows.ACL{rowACL("on-src", "pg_a", to, 1, 1, "1", nbrows.ActionDrop)},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:0:Default"},
		{name: "from-lport ACLs judge only the source's port",
			acls: []nbrows.ACL{rowACL("on-dst", "pg_b", from, 1, 1, "1", nbrows.ActionDrop)},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:0:Default"},
		{name: "a group holding both ports judges both sides",
			acls: []nbrows.ACL{
				rowACL("eg", "pg_all", from, 1, 1, "inport == @pg_all", nbrows.ActionPass),
				rowACL("in", "pg_all", to, 1, 1, "outport == @pg_all", nbrows.ActionDrop),
			},
			flow: tcp80, allowed: false, egress: "from-lport:1:Pass:eg, from-lport:0:Default, from-lport/after-lb:0:Default",
			ingress: "to-lport:1:Deny:in"},
		{name: "outport is unknown in from-lport",
			acls: []nbrows.ACL{rowACL("eg", "pg_a", from, 1, 1, "outport == @pg_b", nbrows.ActionDrop)},
			flow: tcp80, allowed: true, egress: "from-lport:1:NoMatch, from-lport:0:Default, from-lport/after-lb:0:Default",
			ingress: "to-lport:0:Default"},
		{name: "inport is the source in to-lport",
			acls: []nbrows.ACL{rowACL("in", "pg_b", to, 1, 1, "outport == @pg_b && inport == @pg_a", nbrows.ActionDrop)},
			flow: tcp80, allowed: false, egress: defaults, ingress: "to-lport:1:Deny:in"},
		{name: "source without logical port: egress not judged",
			acls: []nbrows.ACL{rowACL("eg", "pg_all", from, 1, 1, "1", nbrows.ActionDrop)},
			flow: flow("10.0.0.1", "", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 80), allowed: true,
			egress: "-", ingress: "to-lport:0:Default"},
		{name: "destination without logical port: ingress not judged",
			acls: []nbrows.ACL{rowACL("in", "pg_all", to, 1, 1, "1", nbrows.ActionDrop)},
			flow: flow("10.0.0.1", "lsp-a", "8.8.8.8", "", corev1.ProtocolTCP, 80), allowed: true,
			egress: defaults, ingress: "-"},
		{name: "no logical ports: nothing judged",
			acls: []nbrows.ACL{rowACL("in", "pg_all", to, 1, 1, "1", nbrows.ActionDrop)},
			flow: flow("10.0.0.1", "", "8.8.8.8", "", corev1.ProtocolTCP, 80), allowed: true, egress: "-", ingress: "-"},
		{name: "ip4 match ignores an IPv6 flow",
			acls: []nbrows.ACL{rowACL("v4", "pg_b", to, 1, 1, "outport == @pg_b && ip4.src == 0.0.0.0/0", nbrows.ActionDrop)},
			flow: flow("fd00::1", "lsp-a", "fd00::2", "lsp-b", corev1.ProtocolTCP, 80), allowed: true,
			egress: defaults, ingress: "to-lport:1:NoMatch, to-lport:0:Default"},
		{name: "ip4 != still needs an IPv4 flow",
			acls: []nbrows.ACL{
				rowACL("v4", "pg_b", to, 1, 1, "outport == @pg_b && ip4.src != {10.1.0.0/16}", nbrows.ActionDrop)},
			flow: flow("fd00::1", "lsp-a", "fd00::2", "lsp-b", corev1.ProtocolTCP, 80), allowed: true,
			egress: defaults, ingress: "to-lport:1:NoMatch, to-lport:0:Default"},
		{name: "ip6 match catches an IPv6 flow",
			acls: []nbrows.ACL{rowACL("v6", "pg_b", to, 1, 1, "outport == @pg_b && (ip4.src == $pods_v4 || ip6.src == $pods_v6)",
				nbrows.ActionDrop)},
			flow: flow("fd00::1", "lsp-a", "fd00::2", "lsp-b", corev1.ProtocolTCP, 80), allowed: false,
			egress: defaults, ingress: "to-lport:1:Deny:v6"},
		{name: "port range includes its ends",
			acls: []nbrows.ACL{rowACL("range", "pg_b", to, 1, 1, "outport == @pg_b && tcp.dst >= 8000 && tcp.dst <= 8100",
				nbrows.ActionDrop)},
			flow: flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 8100), allowed: false,
			egress: defaults, ingress: "to-lport:1:Deny:range"},
		{name: "port range excludes outside",
			acls: []nbrows.ACL{rowACL("range", "pg_b", to, 1, 1, "outport == @pg_b && tcp.dst >= 8000 && tcp.dst <= 8100",
				nbrows.ActionDrop)},
			flow: flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 8101), allowed: true,
			egress: defaults, ingress: "to-lport:1:NoMatch, to-lport:0:Default"},
		{name: "port range needs the protocol",
			acls: []nbrows.ACL{rowACL("range", "pg_b", to, 1, 1, "outport == @pg_b && tcp.dst >= 8000 && tcp.dst <= 8100",
				nbrows.ActionDrop)},
			flow: flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolUDP, 8050), allowed: true,
			egress: defaults, ingress: "to-lport:1:NoMatch, to-lport:0:Default"},
		{name: "named port clause matches the named pod",
			acls: []nbrows.ACL{
				rowACL("np", "pg_b", to, 1, 2, "outport == @pg_b && (ip4.dst == $np_v4 && tcp.dst == 8080)",
					nbrows.ActionAllowRelated),
				rowACL("rest", "pg_b", to, 1, 1, "outport == @pg_b", nbrows.ActionDrop),
			},
			flow: flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 8080), allowed: true,
			egress: defaults, ingress: "to-lport:1:Allow:np"},
		{name: "named port clause misses another pod",
			acls: []nbrows.ACL{
				rowACL("np", "pg_all", to, 1, 2, "outport == @pg_all && (ip4.dst == $np_v4 && tcp.dst == 8080)",
					nbrows.ActionAllowRelated),
				rowACL("rest", "pg_all", to, 1, 1, "outport == @pg_all", nbrows.ActionDrop),
			},
			flow: flow("10.0.0.2", "lsp-b", "10.0.0.1", "lsp-a", corev1.ProtocolTCP, 8080), allowed: false,
			egress: defaults, ingress: "to-lport:1:Deny:rest"},
		{name: "empty address set matches nothing",
			acls: []nbrows.ACL{rowACL("empty", "pg_b", to, 1, 1, "outport == @pg_b && ip4.src == {$empty}", nbrows.ActionDrop)},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:1:NoMatch, to-lport:0:Default"},
		{name: "the translator's ANP shape",
			acls: []nbrows.ACL{rowACL("anp", "pg_b", to, 1, 1,
				"outport == @pg_b && (ip4.src == {$pods_v4} || ip6.src == {$pods_v6}) && ((tcp && tcp.dst == {80, 443}) || (udp "+
					"&& udp.dst >= 5000 && udp.dst <= 5100) || (ip4.dst == $np_v4 && tcp.dst == 8080))",
				nbrows.ActionDrop)},
			flow: flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolUDP, 5000), allowed: false,
			egress: defaults, ingress: "to-lport:1:Deny:anp"},
		{name: "the translator's except shape",
			acls: []nbrows.ACL{rowACL("exc", "pg_a", from, 1, 1,
				"inport == @pg_a && (ip4.dst == {10.0.0.0/8, 192.168.1.0/24} && ip4.dst != {10.0.0.0/30})", nbrows.ActionDrop)},
			flow: tcp80, allowed: true, egress: "from-lport:1:NoMatch, from-lport:0:Default, from-lport/after-lb:0:Default",
			ingress: "to-lport:0:Default"},
		{name: "neighbor ACL does not match TCP",
			acls: []nbrows.ACL{rowACL("nbr", "pg_b", to, 1, 1, "outport == @pg_b && (arp || nd)", nbrows.ActionAllow)},
			flow: tcp80, allowed: true, egress: defaults, ingress: "to-lport:1:NoMatch, to-lport:0:Default"},
		{name: "IPv4-mapped flow addresses are unmapped",
			acls: []nbrows.ACL{rowACL("v4", "pg_b", to, 1, 1, "outport == @pg_b && ip4.src == 10.0.0.1", nbrows.ActionDrop)},
			flow: flow("::ffff:10.0.0.1", "lsp-a", "::ffff:10.0.0.2", "lsp-b", corev1.ProtocolTCP, 80), allowed: false,
			egress: defaults, ingress: "to-lport:1:Deny:v4"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := New(testState(tc.acls...))
			if err != nil {
				t.Fatal(err)
			}
			v, err := ev.Evaluate(tc.flow)
			if err != nil {
				t.Fatal(err)
			}
			if v.Allowed != tc.allowed {
				t.Errorf("Allowed = %v, want %v", v.Allowed, tc.allowed)
			}
			if got := summary(v.Egress); got != tc.egress {
				t.Errorf("egress steps = %s\nwant %s", got, tc.egress)
			}
			if got := summary(v.Ingress); got != tc.ingress {
				t.Errorf("ingress steps = %s\nwant %s", got, tc.ingress)
			}
			for _, d := range []*eval.Decision{v.Egress, v.Ingress} {
				if d != nil && !d.Allowed && v.Allowed {
					t.Errorf("a side denied but the verdict allows")
				}
			}
		})
	}
}

func TestStepFields(t *testing.T) {
	a := rowACL("anp-rule", "pg_b", to, 1, 1234, "outport == @pg_b && ip4.src == $pods_v4", nbrows.ActionPass)
	a.ExternalIDs = map[string]string{
		nbrows.KeyOwnerKind: "AdminNetworkPolicy", nbrows.KeyOwnerName: "monitoring",
		nbrows.KeyPriority: "7", nbrows.KeyRuleName: "pass-monitoring", nbrows.KeyRuleIndex: "2",
	}
	bare := rowACL("bare", "pg_b", to, 2, 5, "outport == @pg_b", nbrows.ActionAllow)
	ev, err := New(testState(a, bare))
	if err != nil {
		t.Fatal(err)
	}
	v, err := ev.Evaluate(flow("10.9.9.9", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 80))
	if err != nil {
		t.Fatal(err)
	}
	want := []eval.Step{
		{Tier: 1, Action: eval.StepPass, Policy: "AdminNetworkPolicy/monitoring", Priority: 7, Rule: "pass-monitoring",
			RuleIndex: 2, Stage: StageToLport, ACL: "anp-rule", ACLPriority: 1234, Match: a.Match,
			Detail: "ip4.src == $pods_v4 (10.9.9.9)"},
		{Tier: 2, Action: eval.StepAllow, RuleIndex: -1, Stage: StageToLport, ACL: "bare", ACLPriority: 5, Match: bare.Match},
	}
	if len(v.Ingress.Steps) != len(want) {
		t.Fatalf("steps = %+v", v.Ingress.Steps)
	}
	for i := range want {
		if v.Ingress.Steps[i] != want[i] {
			t.Errorf("step %d = %+v\nwant %+v", i, v.Ingress.Steps[i], want[i])
		}
	}
}

func TestSamePriorityTie(t *testing.T) {
	ev, err := New(testState(
		rowACL("b-drop", "pg_b", to, 1, 10, "outport == @pg_b", nbrows.ActionDrop),
		rowACL("a-allow", "pg_b", to, 1, 10, "outport == @pg_b && tcp", nbrows.ActionAllow),
		rowACL("c-miss", "pg_b", to, 1, 10, "outport == @pg_b && udp", nbrows.ActionDrop),
	))
	if err != nil {
		t.Fatal(err)
	}
	v, err := ev.Evaluate(flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 80))
	if err != nil {
		t.Fatal(err)
	}
	s := v.Ingress.Steps[0]
	if !v.Allowed || s.ACL != "a-allow" || !strings.Contains(s.Detail, "also matched at the same priority: b-drop (") ||
		strings.Contains(s.Detail, "c-miss") {
		t.Fatalf("tie handled wrongly: %+v", s)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		acl  nbrows.ACL
		want string
	}{
		{"unparsable match", rowACL("bad", "pg_b", to, 1, 1, "outport == @pg_b && tcp || udp", nbrows.ActionDrop),
			`ACL "bad"`},
		{"unknown address set", rowACL("nas", "pg_b", to, 1, 1, "ip4.src == $nope", nbrows.ActionDrop),
			"unknown address set $nope"},
		{"unknown port group in match", rowACL("npg", "pg_b", to, 1, 1, "outport == @nope", nbrows.ActionDrop),
			"unknown port group @nope"},
		{"unknown ACL port group", rowACL("pg", "nope", to, 1, 1, "1", nbrows.ActionDrop), `unknown port group "nope"`},
		{"family mismatch", rowACL("fam", "pg_b", to, 1, 1, "ip4.src == $pods_v6", nbrows.ActionDrop), "has IPv6 entries"},
		{"tier out of range", rowACL("tier", "pg_b", to, 4, 1, "1", nbrows.ActionDrop), "tier 4 is outside 0..3"},
		{"bad direction", rowACL("dir", "pg_b", "both", 1, 1, "1", nbrows.ActionDrop), `unknown direction "both"`},
		{"bad action", rowACL("act", "pg_b", to, 1, 1, "1", "permit"), `unknown action "permit"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(testState(tc.acl))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `ACL "`+tc.acl.Name+`"`) {
				t.Fatalf("err = %v, want one naming the ACL and %q", err, tc.want)
			}
		})
	}
	bad := testState()
	bad.AddressSets = append(bad.AddressSets, nbrows.AddressSet{Name: "junk", Addresses: []string{"10.0.0.0/33"}})
	if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "junk") {
		t.Fatalf("bad address set entry: err = %v", err)
	}
}

func TestEvaluateErrors(t *testing.T) {
	ev, err := New(testState())
	if err != nil {
		t.Fatal(err)
	}
	noIP := flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 80)
	noIP.Dst.IP = netip.Addr{}
	for name, f := range map[string]eval.Flow{
		"no destination IP": noIP,
		"mixed families":    flow("10.0.0.1", "lsp-a", "fd00::2", "lsp-b", corev1.ProtocolTCP, 80),
		"unknown protocol":  flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", "ICMP", 0),
		"negative port":     flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, -1),
	} {
		if _, err := ev.Evaluate(f); err == nil {
			t.Errorf("%s: Evaluate accepted %s", name, f)
		}
	}
}

func TestExplain(t *testing.T) {
	pass := rowACL("pass", "pg_b", to, 1, 1, "outport == @pg_b && inport == @pg_a && ip4.src == {$pods_v4, $empty}",
		nbrows.ActionPass)
	drop := rowACL("drop", "pg_b", to, 3, 1, "outport == @pg_b", nbrows.ActionDrop)
	eg := rowACL("eg", "pg_a", from, 2, 1, "inport == @pg_a && ip4.dst == $np_v4", nbrows.ActionAllowRelated)
	ev, err := New(testState(pass, drop, eg))
	if err != nil {
		t.Fatal(err)
	}
	v, ds, err := ev.Explain(flow("10.0.0.1", "lsp-a", "10.0.0.2", "lsp-b", corev1.ProtocolTCP, 80))
	if err != nil {
		t.Fatal(err)
	}
	if v.Allowed || len(ds) != 3 {
		t.Fatalf("verdict %+v, deciders %+v", v, ds)
	}
	var got []string
	for _, d := range ds {
		var pgs, ass, hits []string
		for _, p := range d.PortGroups {
			pgs = append(pgs, p.Name)
		}
		for _, a := range d.AddressSets {
			ass = append(ass, a.Name)
		}
		for _, h := range d.Hits {
			hits = append(hits, h.String())
		}
		got = append(got, fmt.Sprintf("%s %s %s pg=%v as=%v hits=%v", d.Side, d.Step.Action, d.ACL.Name, pgs, ass, hits))
	}
	want := []string{
		`Egress Allow eg pg=[pg_a] as=[np_v4] hits=[inport == @pg_a ("lsp-a") ip4.dst == $np_v4 (10.0.0.2)]`,
		`Ingress Pass pass pg=[pg_b pg_a] as=[empty pods_v4] hits=[outport == @pg_b ("lsp-b") inport == @pg_a ("lsp-a") ` +
			`ip4.src == $pods_v4 (10.0.0.0/24)]`,
		`Ingress Deny drop pg=[pg_b] as=[] hits=[outport == @pg_b ("lsp-b")]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("deciders:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
