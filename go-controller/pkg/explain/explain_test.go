package explain

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/golden"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

func endpoint(pod, ip string) eval.Endpoint {
	return eval.Endpoint{IP: netip.MustParseAddr(ip), Pod: pod, LogicalPort: strings.Replace(pod, "/", "_", 1)}
}

func TestRun(t *testing.T) {
	snap, err := manifest.Load("testdata/cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		flow      eval.Flow
		allowed   bool
		judged    []bool // egress, ingress
		lastModel string // the ingress side's last model step
		lastACL   string // the ingress side's last ACL step
		sets      []SetCheck
	}{{
		name: "passed by the ANP, denied by the NetworkPolicy, IPv4",
		flow: eval.Flow{Src: endpoint("monitoring/prometheus", "10.0.1.10"), Dst: endpoint("shop/web", "10.0.2.20"),
			Protocol: "TCP", Port: 8080},
		allowed: false, judged: []bool{true, true}, lastModel: eval.StepIsolated, lastACL: eval.StepDeny,
		sets: []SetCheck{{ACL: "anp:pass-monitoring:in:0", Field: "ip4.src", IP: "10.0.1.10", Contains: true, Addresses: 1,
			Exists: true}},
	}, {
		name: "the same in IPv6 checks the IPv6 set only",
		flow: eval.Flow{Src: endpoint("monitoring/prometheus", "fd00::1:10"), Dst: endpoint("shop/web", "fd00::2:20"),
			Protocol: "TCP", Port: 8080},
		allowed: false, judged: []bool{true, true}, lastModel: eval.StepIsolated, lastACL: eval.StepDeny,
		sets: []SetCheck{{ACL: "anp:pass-monitoring:in:0", Field: "ip6.src", IP: "fd00::1:10", Contains: true, Addresses: 1,
			Exists: true}},
	}, {
		name: "from outside: no egress side, the ANP does not match",
		flow: eval.Flow{Src: eval.Endpoint{IP: netip.MustParseAddr("192.0.2.1")}, Dst: endpoint("shop/web", "10.0.2.20"),
			Protocol: "TCP", Port: 8080},
		allowed: false, judged: []bool{false, true}, lastModel: eval.StepIsolated, lastACL: eval.StepDeny,
	}, {
		name: "shop to monitoring is not isolated",
		flow: eval.Flow{Src: endpoint("shop/web", "10.0.2.20"), Dst: endpoint("monitoring/prometheus", "10.0.1.10"),
			Protocol: "UDP", Port: 53},
		allowed: true, judged: []bool{true, true}, lastModel: eval.StepDefault, lastACL: eval.StepDefault,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Run(snap, tc.flow, translate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.ModelAllowed != tc.allowed || r.ACLAllowed != tc.allowed || !r.Agree {
				t.Errorf("model %v, acl %v, agree %v; want both %v", r.ModelAllowed, r.ACLAllowed, r.Agree, tc.allowed)
			}
			if len(r.Sides) != 2 || r.Sides[0].Side != Egress || r.Sides[1].Side != Ingress {
				t.Fatalf("sides: %+v", r.Sides)
			}
			for i, side := range r.Sides {
				if judged := side.Model != nil && side.ACL != nil; judged != tc.judged[i] {
					t.Errorf("%s judged = %v, want %v", side.Side, judged, tc.judged[i])
				}
			}
			in := r.Sides[1]
			if got := in.Model.Steps[len(in.Model.Steps)-1].Action; got != tc.lastModel {
				t.Errorf("last model step %s, want %s", got, tc.lastModel)
			}
			if got := in.ACL.Steps[len(in.ACL.Steps)-1].Action; got != tc.lastACL {
				t.Errorf("last ACL step %s, want %s", got, tc.lastACL)
			}
			if len(in.AddressSets) != len(tc.sets) {
				t.Fatalf("address sets: got %+v, want %+v", in.AddressSets, tc.sets)
			}
			for i, want := range tc.sets {
				got := in.AddressSets[i]
				got.Name, got.Selects = "", "" // names carry hashes; the rest is what matters
				if got != want {
					t.Errorf("address set %d: got %+v, want %+v", i, got, want)
				}
			}
		})
	}
}

// disagreeing is a report the two evaluators could produce only with a translation bug.
func disagreeing() *Report {
	flow := eval.Flow{Src: endpoint("a/x", "10.0.0.1"),
		Dst: eval.Endpoint{IP: netip.MustParseAddr("10.0.0.9"), Node: "worker"}, Protocol: "TCP", Port: 22}
	return &Report{
		Flow: flowView(flow),
		Sides: []Side{{
			Side: Egress, Endpoint: flow.Src.String(),
			Model: &Decision{Allowed: false,
				Steps: []eval.Step{{Tier: 1, Action: eval.StepDeny, Policy: "AdminNetworkPolicy/no-ssh", Priority: 3,
					Rule: "deny-ssh", RuleIndex: 0}}},
			ACL: &Decision{Allowed: true, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepNoMatch, RuleIndex: -1, Stage: "from-lport"},
				{Tier: 3, Action: eval.StepDefault, RuleIndex: -1, Stage: "from-lport/after-lb", Detail: "no tier decided"}}},
		}, {
			Side: Ingress, Endpoint: flow.Dst.String(),
		}},
		ModelAllowed: false, ACLAllowed: true, Agree: false,
	}
}

// passedThenIsolated is a report as both evaluators give it for a flow an ANP passes to a NetworkPolicy
// that isolates the destination. It is written out so the goldens test printing alone.
func passedThenIsolated() *Report {
	flow := eval.Flow{Src: endpoint("monitoring/prometheus", "10.0.1.10"), Dst: endpoint("shop/web", "10.0.2.20"),
		Protocol: "TCP", Port: 8080}
	def := eval.Step{Tier: 3, Action: eval.StepDefault, RuleIndex: -1}
	return &Report{
		Flow: flowView(flow),
		Sides: []Side{{
			Side: Egress, Endpoint: flow.Src.String(),
			Model: &Decision{Allowed: true, Steps: []eval.Step{def}},
			ACL: &Decision{Allowed: true, Steps: []eval.Step{
				{Tier: 3, Action: eval.StepDefault, RuleIndex: -1, Stage: "from-lport", Detail: "no tier decided"},
				{Tier: 3, Action: eval.StepDefault, RuleIndex: -1, Stage: "from-lport/after-lb", Detail: "no tier decided"}}},
		}, {
			Side: Ingress, Endpoint: flow.Dst.String(),
			Model: &Decision{Allowed: false, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepPass, Policy: "AdminNetworkPolicy/pass-monitoring", Priority: 7,
					Rule: "pass-from-monitoring", RuleIndex: 0},
				{Tier: 2, Action: eval.StepIsolated, Policy: "NetworkPolicy/shop/deny-all", RuleIndex: -1}}},
			ACL: &Decision{Allowed: false, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepPass, Policy: "AdminNetworkPolicy/pass-monitoring", Priority: 7,
					Rule: "pass-from-monitoring", RuleIndex: 0,
					Stage: "to-lport", ACL: "anp:pass-monitoring:in:0", ACLPriority: 32543,
					Match:  "outport == @pg_pass && (ip4.src == $mon_v4 || ip6.src == $mon_v6)",
					Detail: "ip4.src == $mon_v4 (10.0.1.10)"},
				{Tier: 2, Action: eval.StepDeny, Policy: "NetworkPolicy/shop/deny-all", RuleIndex: -1,
					Stage: "to-lport", ACL: "np:shop/deny-all:in:isolate", ACLPriority: 1000, Match: "outport == @pg_deny"}}},
			AddressSets: []SetCheck{{ACL: "anp:pass-monitoring:in:0", Name: "mon_v4", Field: "ip4.src", IP: "10.0.1.10",
				Contains: true, Addresses: 1, Exists: true, Selects: "pods where namespace " +
					"(kubernetes.io/metadata.name=monitoring) and pod (all)"}},
		}},
		ModelAllowed: false, ACLAllowed: false, Agree: true,
	}
}

func TestWriteGolden(t *testing.T) {
	agreeing := passedThenIsolated()
	tests := []struct {
		name   string
		report *Report
		write  func(*bytes.Buffer, *Report) error
		golden string
	}{
		{"text", agreeing, func(b *bytes.Buffer, r *Report) error { return WriteText(b, r) },
			"testdata/pass-then-isolated.text.golden"},
		{"json", agreeing, func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) },
			"testdata/pass-then-isolated.json.golden"},
		{"disagree text", disagreeing(), func(b *bytes.Buffer, r *Report) error { return WriteText(b, r) },
			"testdata/disagree.text.golden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := tc.write(&out, tc.report); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tc.golden, out.Bytes())
		})
	}
}

func TestDisagreeLine(t *testing.T) {
	var out bytes.Buffer
	if err := WriteText(&out, disagreeing()); err != nil {
		t.Fatal(err)
	}
	want := "DISAGREE: the policy model says Deny but the ACLs say Allow\n"
	if !strings.HasSuffix(out.String(), want) {
		t.Errorf("output does not end with %q:\n%s", want, out.String())
	}
	if !strings.Contains(out.String(), "not judged: this end has no logical port") {
		t.Errorf("the node side should say it was not judged:\n%s", out.String())
	}
	var back Report
	out.Reset()
	if err := WriteJSON(&out, disagreeing()); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Agree || back.Sides[1].Model != nil || back.Flow.Dst.Node != "worker" {
		t.Errorf("JSON lost fields: %+v", back)
	}
}

func TestSetContains(t *testing.T) {
	addrs := []string{"10.0.0.1", "10.1.0.0/16", "fd00::1"}
	tests := []struct {
		ip   string
		want bool
	}{
		{"10.0.0.1", true}, {"10.0.0.2", false}, {"10.1.200.3", true}, {"fd00::1", true}, {"fd00::2", false},
		{"::ffff:10.0.0.1", true}, // a mapped address is its IPv4 address
	}
	for _, tc := range tests {
		t.Run(tc.ip, func(t *testing.T) {
			if got := setContains(addrs, netip.MustParseAddr(tc.ip)); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
