package model

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
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
			name:     "ANP rule step carries priority and rule name",
			policies: []any{egressANP("p", 42, clientSubject, egressRule("skip", deny, nil, toNamespaces(sel("team=c"))), egressRule("to-a", allow, nil, toNamespaces(sel("team=a"))))},
			src:      "b/client", dst: "a/web",
			want: eval.Decision{Allowed: true, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepAllow, Policy: "AdminNetworkPolicy/p", Priority: 42, Rule: "to-a", RuleIndex: 1}}},
		},
		{
			name: "pass, then NetworkPolicy isolation",
			policies: []any{egressANP("p", 7, clientSubject, egressRule("hand-off", pass, nil, toNamespaces(sel()))),
				netpol("b", "np2", sel(), egressOnly, nil, nil), netpol("b", "np1", sel("app=client"), bothTypes, nil, nil)},
			src: "b/client", dst: "a/web",
			want: eval.Decision{Allowed: false, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepPass, Policy: "AdminNetworkPolicy/p", Priority: 7, Rule: "hand-off", RuleIndex: 0},
				{Tier: 2, Action: eval.StepIsolated, RuleIndex: -1, Detail: "isolated by NetworkPolicy/b/np1, NetworkPolicy/b/np2"}}},
		},
		{
			name: "NetworkPolicy allow names the first allowing policy by name",
			policies: []any{netpol("b", "zz", sel(), egressOnly, nil, []networkingv1.NetworkPolicyEgressRule{{}}),
				netpol("b", "aa", sel(), egressOnly, nil, []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{ipBlock("1.0.0.0/8")}}, {}})},
			src: "b/client", dst: "a/web",
			want: eval.Decision{Allowed: true, Steps: []eval.Step{
				{Tier: 2, Action: eval.StepAllow, Policy: "NetworkPolicy/b/aa", RuleIndex: 1}}},
		},
		{
			name: "no match in both admin tiers, then default",
			policies: []any{egressANP("p", 1, clientSubject, egressRule("r", deny, nil, toNamespaces(sel("team=c")))),
				banp("default", clientSubject, nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{banpEgress("r", banpDeny, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: sel("team=c")})})},
			src: "b/client", dst: "a/web",
			want: eval.Decision{Allowed: true, Steps: []eval.Step{
				{Tier: 1, Action: eval.StepNoMatch, RuleIndex: -1},
				{Tier: 3, Action: eval.StepNoMatch, RuleIndex: -1},
				{Action: eval.StepDefault, RuleIndex: -1}}},
		},
		{
			name:     "BANP rule step",
			policies: []any{banp("default", clientSubject, nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{banpEgress("deny-a", banpDeny, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: sel("team=a")})})},
			src:      "b/client", dst: "a/web",
			want: eval.Decision{Allowed: false, Steps: []eval.Step{
				{Tier: 3, Action: eval.StepDeny, Policy: "BaselineAdminNetworkPolicy/default", Rule: "deny-a", RuleIndex: 0}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := world(tc.policies...)
			f := eval.Flow{Src: endpoint(t, s, tc.src, false), Dst: endpoint(t, s, tc.dst, false), Protocol: corev1.ProtocolTCP, Port: 80}
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
	s := world(egressANP("p", 1, nsSubject(sel()), egressRule("r", deny, nil, toNetworks("0.0.0.0/0"))))
	f := eval.Flow{Src: endpoint(t, s, "node:n1", false), Dst: endpoint(t, s, "ip:8.8.8.8", false), Protocol: corev1.ProtocolUDP, Port: 53}
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
		{"source pod not in the snapshot", eval.Flow{Src: eval.Endpoint{IP: netip.MustParseAddr("10.9.9.9"), Pod: "a/ghost", LogicalPort: "a_ghost"},
			Dst: web, Protocol: corev1.ProtocolTCP, Port: 80}, `pod "a/ghost" is not in the snapshot`},
		{"destination pod not in the snapshot", eval.Flow{Src: web, Dst: eval.Endpoint{IP: netip.MustParseAddr("10.9.9.9"), Pod: "x/y"},
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
