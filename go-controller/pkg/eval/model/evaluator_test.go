package model

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// TestSteps checks every field of the steps, not just their summary.
func TestSteps(t *testing.T) {
	tests := []struct {
		name     string
		policies []any
		src, dst string
		want     eval.Decision // the egress decision
	}{
		{
			name: "ANP rule step carries priority and rule name",
			policies: []any{testobj.ANP("p", 42, clientSubject,
				testobj.ANPEgressRule("skip", deny, nil, testobj.ToNamespaces(testobj.Sel("team", "c"))),
				testobj.ANPEgressRule("to-a", allow, nil, testobj.ToNamespaces(testobj.Sel("team", "a"))))},
			src: "b/client", dst: "a/web",
			want: eval.Decision{Allowed: true, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepAllow, Policy: "AdminNetworkPolicy/p", Priority: 42, Rule: "to-a", RuleIndex: 1}}},
		},
		{
			name: "pass, then NetworkPolicy isolation",
			policies: []any{
				testobj.ANP("p", 7, clientSubject,
					testobj.ANPEgressRule("hand-off", pass, nil, testobj.ToNamespaces(testobj.Sel()))),
				testobj.NetworkPolicy("b", "np2", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeEgress)),
				testobj.NetworkPolicy("b", "np1", testobj.Sel("app", "client"),
					testobj.Isolate(networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress))},
			src: "b/client", dst: "a/web",
			want: eval.Decision{Allowed: false, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepPass, Policy: "AdminNetworkPolicy/p", Priority: 7, Rule: "hand-off", RuleIndex: 0},
				{Tier: 2, Action: eval.StepIsolated, RuleIndex: -1,
					Detail: "isolated by NetworkPolicy/b/np1, NetworkPolicy/b/np2"}}},
		},
		{
			name: "NetworkPolicy allow names the first allowing policy by name",
			policies: []any{testobj.NetworkPolicy("b", "zz", testobj.Sel(), testobj.NPEgress()),
				testobj.NetworkPolicy("b", "aa", testobj.Sel(),
					testobj.NPEgress(testobj.IPBlock("1.0.0.0/8")), testobj.NPEgress())},
			src: "b/client", dst: "a/web",
			want: eval.Decision{Allowed: true, Steps: []eval.Step{
				{Tier: 2, Action: eval.StepAllow, Policy: "NetworkPolicy/b/aa", RuleIndex: 1}}},
		},
		{
			name: "no match in both admin tiers, then default",
			policies: []any{
				testobj.ANP("p", 1, clientSubject,
					testobj.ANPEgressRule("r", deny, nil, testobj.ToNamespaces(testobj.Sel("team", "c")))),
				testobj.BANP(clientSubject,
					testobj.BANPEgressRule("r", banpDeny, nil, testobj.BANPToNamespaces(testobj.Sel("team", "c"))))},
			src: "b/client", dst: "a/web",
			want: eval.Decision{Allowed: true, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepNoMatch, RuleIndex: -1},
				{Tier: 3, Action: eval.StepNoMatch, RuleIndex: -1},
				{Action: eval.StepDefault, RuleIndex: -1}}},
		},
		{
			name: "BANP rule step",
			policies: []any{testobj.BANP(clientSubject,
				testobj.BANPEgressRule("deny-a", banpDeny, nil, testobj.BANPToNamespaces(testobj.Sel("team", "a"))))},
			src: "b/client", dst: "a/web",
			want: eval.Decision{Allowed: false, Steps: []eval.Step{
				{Tier: 3, Action: eval.StepDeny, Policy: "BaselineAdminNetworkPolicy/default", Rule: "deny-a", RuleIndex: 0}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := world(tc.policies...)
			f := eval.Flow{Src: endpoint(t, s, tc.src, false), Dst: endpoint(t, s, tc.dst, false), Protocol: corev1.ProtocolTCP,
				Port: 80}
			v, err := New(s).Evaluate(f)
			if err != nil {
				t.Fatal(err)
			}
			if v.Egress == nil || !reflect.DeepEqual(*v.Egress, tc.want) {
				t.Errorf("egress decision = %+v\nwant %+v", v.Egress, tc.want)
			}
		})
	}
}

func TestUnjudgedFlow(t *testing.T) {
	s := world(testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()),
		testobj.ANPEgressRule("r", deny, nil, testobj.ToNetworks("0.0.0.0/0"))))
	f := eval.Flow{Src: endpoint(t, s, "node:n1", false), Dst: endpoint(t, s, "ip:8.8.8.8", false),
		Protocol: corev1.ProtocolUDP, Port: 53}
	v, err := New(s).Evaluate(f)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Allowed || v.Egress != nil || v.Ingress != nil {
		t.Errorf("verdict = %+v, want allowed with no side judged", v)
	}
}

func TestEvaluateErrors(t *testing.T) {
	s := world()
	web := endpoint(t, s, "a/web", false)
	tests := []struct {
		name string
		flow eval.Flow
		want string
	}{
		{"unknown protocol", eval.Flow{Src: web, Dst: web, Protocol: "ICMP", Port: 1}, "unknown protocol"},
		{"empty protocol", eval.Flow{Src: web, Dst: web, Port: 1}, "unknown protocol"},
		{"source pod not in the snapshot", eval.Flow{
			Src: eval.Endpoint{IP: netip.MustParseAddr("10.9.9.9"), Pod: "a/ghost", LogicalPort: "a_ghost"},
			Dst: web, Protocol: corev1.ProtocolTCP, Port: 80}, `pod "a/ghost" is not in the snapshot`},
		{"destination pod not in the snapshot", eval.Flow{
			Src: web, Dst: eval.Endpoint{IP: netip.MustParseAddr("10.9.9.9"), Pod: "x/y"},
			Protocol: corev1.ProtocolTCP, Port: 80}, `pod "x/y" is not in the snapshot`},
		{"logical port without pod", eval.Flow{Src: eval.Endpoint{IP: netip.MustParseAddr("10.9.9.9"), LogicalPort: "lp"},
			Dst: web, Protocol: corev1.ProtocolTCP, Port: 80}, "names no pod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(s).Evaluate(tc.flow)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Evaluate(%s) error = %v, want it to contain %q", tc.flow, err, tc.want)
			}
		})
	}
}
