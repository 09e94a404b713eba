package policy

import (
	"strings"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// TestDuplicatePolicyTypes: the API server accepts [Egress, Egress]; it isolates egress once (listed
// twice it made two sets of rows with the same names, and NB never matched the translation).
func TestDuplicatePolicyTypes(t *testing.T) {
	tests := []struct {
		types []networkingv1.PolicyType
		want  string
	}{
		{[]networkingv1.PolicyType{"Egress", "Egress"}, "Egress"},
		{[]networkingv1.PolicyType{"Ingress", "Egress", "Ingress"}, "Ingress,Egress"},
		{[]networkingv1.PolicyType{"Sideways", "Ingress"}, "Ingress"},
	}
	for _, tt := range tests {
		np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "np"},
			Spec: networkingv1.NetworkPolicySpec{PolicyTypes: tt.types, Egress: []networkingv1.NetworkPolicyEgressRule{{}}}}
		p := FromNetworkPolicy(np, nil)
		if got := strings.Join(dirs(p.Isolates), ","); got != tt.want {
			t.Errorf("policyTypes %v isolate %s, want %s", tt.types, got, tt.want)
		}
	}
}

// TestIPBlockExcept: the API accepts only an except that is a strict subset of the cidr; any other
// (the other IP family, outside the cidr, the cidr itself) makes the peer invalid, so it matches nothing
// and the policy says why.
func TestIPBlockExcept(t *testing.T) {
	tests := []struct {
		cidr, except string
		valid        bool
	}{
		{"10.0.0.0/8", "10.1.0.0/16", true},
		{"10.0.0.0/8", "10.1.2.3/16", true}, // host bits in except: masked, still inside
		{"fd00::/64", "fd00::1/128", true},
		{"10.0.0.0/8", "fd00::/64", false},
		{"fd00::/64", "10.0.0.0/8", false},
		{"0.0.0.0/0", "::/0", false},
		{"10.0.0.0/8", "192.168.0.0/16", false},
		{"10.0.0.0/8", "10.0.0.0/8", false},
		{"10.1.0.0/16", "10.0.0.0/8", false},
	}
	for _, tt := range tests {
		np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "np"},
			Spec: networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{testobj.IPBlock(tt.cidr, tt.except)}}}}}
		p := FromNetworkPolicy(np, nil)
		r := p.Ingress[0]
		failed := strings.Contains(reasons(p), ReasonFailClosed)
		if valid := len(r.Peers) == 1; valid != tt.valid || failed == tt.valid {
			t.Errorf("%s except %s: valid=%v (problems %v), want valid=%v", tt.cidr, tt.except, valid, p.Problems, tt.valid)
		}
	}
}

// TestHostBitsWarned: a CIDR with host bits is programmed masked, and said so, in every place a CIDR
// is written.
func TestHostBitsWarned(t *testing.T) {
	np := FromNetworkPolicy(&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "np"},
		Spec: networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
			From: []networkingv1.NetworkPolicyPeer{testobj.IPBlock("10.0.0.0/8", "10.1.2.3/16")}}}}}, nil)
	a := FromANP(testobj.ANP("a", 1, allSubject,
		testobj.ANPEgressRule("r", "Deny", nil, testobj.ToNetworks("192.168.1.1/24", "fd00::/64"))))
	clean := FromANP(testobj.ANP("c", 1, allSubject,
		testobj.ANPEgressRule("r", "Deny", nil, testobj.ToNetworks("192.168.1.0/24"))))
	tests := []struct {
		p    *Policy
		want string
	}{
		{np, "ingress rule 0 peer 0: CIDR with host bits, programmed masked: 10.1.2.3/16 is 10.1.0.0/16"},
		{a, `egress rule 0 "r" peer 0: CIDR with host bits, programmed masked: 192.168.1.1/24 is 192.168.1.0/24`},
		{clean, ""},
	}
	for _, tt := range tests {
		got := ""
		for _, pr := range tt.p.Problems {
			if pr.Reason == ReasonCIDRHostBits && pr.Severity == SeverityWarning {
				got = pr.Message
			}
		}
		if got != tt.want || (tt.want == "" && len(tt.p.Problems) > 0) {
			t.Errorf("%s: warning %q, want %q (problems %v)", tt.p.Owner, got, tt.want, tt.p.Problems)
		}
		masked := tt.p.Egress != nil && tt.p.Egress[0].Peers[0].Networks[0].CIDR.String() == "192.168.1.0/24"
		if tt.p.Problems != nil && tt.p.Egress != nil && !masked {
			t.Errorf("CIDR not masked: %v", tt.p.Egress[0].Peers[0].Networks)
		}
	}
}
