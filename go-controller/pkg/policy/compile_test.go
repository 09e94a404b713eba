package policy

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

var (
	// allSubject selects every namespace's pods, as most of these policies do.
	allSubject    = testobj.SubjectNamespaces(&metav1.LabelSelector{})
	allNamespaces = []anpv1alpha1.AdminNetworkPolicyEgressPeer{testobj.ToNamespaces(&metav1.LabelSelector{})}
)

func TestFromANPFailClosed(t *testing.T) {
	// rule makes ANP "a" with one egress rule.
	rule := func(action anpv1alpha1.AdminNetworkPolicyRuleAction, ports *[]anpv1alpha1.AdminNetworkPolicyPort,
		to ...anpv1alpha1.AdminNetworkPolicyEgressPeer) *anpv1alpha1.AdminNetworkPolicy {
		return testobj.ANP("a", 1, allSubject, testobj.ANPEgressRule("r", action, ports, to...))
	}
	everyNS := allNamespaces[0]
	badCIDR := []anpv1alpha1.AdminNetworkPolicyEgressPeer{testobj.ToNetworks("10.0.0.0/33"), everyNS}
	domains := anpv1alpha1.AdminNetworkPolicyEgressPeer{DomainNames: []anpv1alpha1.DomainName{"example.com"}}
	twoFields := anpv1alpha1.AdminNetworkPolicyEgressPeer{
		Namespaces: &metav1.LabelSelector{}, Nodes: &metav1.LabelSelector{}}
	badOperator := testobj.ToNamespaces(testobj.Expr("k", "Near"))
	icmp := testobj.ANPPorts(testobj.ANPPortNumber("ICMP", 1))
	reversed := testobj.ANPPorts(anpv1alpha1.AdminNetworkPolicyPort{PortRange: &anpv1alpha1.PortRange{Start: 90, End: 80}})
	tests := []struct {
		name        string
		anp         *anpv1alpha1.AdminNetworkPolicy
		wantAction  Action
		wantAnyPeer bool
		wantPeers   int
		wantPorts   int
		wantReason  string
	}{
		{"valid rule", rule("Deny", nil, everyNS), ActionDeny, false, 1, 0, ""},
		{"allow with a bad peer matches nothing", rule("Allow", nil, badCIDR...), ActionAllow, false, 0, 0, ReasonFailClosed},
		{"deny becomes deny all", rule("Deny", nil, badCIDR...), ActionDeny, true, 0, 0, ReasonFailClosed},
		{"pass becomes deny all", rule("Pass", nil, anpv1alpha1.AdminNetworkPolicyEgressPeer{}),
			ActionDeny, true, 0, 0, ReasonFailClosed},
		{"domainNames in allow match nothing", rule("Allow", nil, domains), ActionAllow, false, 0, 0, ReasonFailClosed},
		{"two fields in one peer", rule("Allow", nil, twoFields), ActionAllow, false, 0, 0, ReasonFailClosed},
		{"bad selector operator", rule("Deny", nil, badOperator), ActionDeny, true, 0, 0, ReasonFailClosed},
		{"unknown protocol in allow", rule("Allow", icmp, everyNS), ActionAllow, false, 0, 0, ReasonFailClosed},
		{"reversed port range in deny", rule("Deny", reversed, everyNS), ActionDeny, true, 0, 0, ReasonFailClosed},
		{"unknown action", rule("Reject", nil, everyNS), ActionDeny, true, 0, 0, ReasonFailClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := FromANP(tt.anp)
			r := p.Egress[0]
			if r.Action != tt.wantAction || r.AnyPeer != tt.wantAnyPeer || len(r.Peers) != tt.wantPeers ||
				len(r.Ports) != tt.wantPorts {
				t.Errorf("rule = %+v", r)
			}
			if got := reasons(p); got != tt.wantReason {
				t.Errorf("reasons = %q, want %q (%v)", got, tt.wantReason, p.Problems)
			}
			if p.Rejected {
				t.Errorf("a rule problem must not reject the whole policy")
			}
		})
	}
}

func reasons(p *Policy) string {
	var out []string
	for _, pr := range p.Problems {
		out = append(out, pr.Reason)
	}
	return strings.Join(out, ",")
}

func TestRejections(t *testing.T) {
	tests := []struct {
		name   string
		policy *Policy
		reason string
	}{
		{"priority above 1000", FromANP(testobj.ANP("a", 1001, allSubject)), ReasonInvalidPriority},
		{"negative priority", FromANP(testobj.ANP("a", -1, allSubject)), ReasonInvalidPriority},
		{"no subject",
			FromANP(testobj.ANP("a", 1, allSubject,
				func(a *anpv1alpha1.AdminNetworkPolicy) { a.Spec.Subject = anpv1alpha1.AdminNetworkPolicySubject{} })),
			ReasonInvalidSubject},
		{"BANP not named default",
			FromBANP(testobj.BANP(allSubject, func(b *anpv1alpha1.BaselineAdminNetworkPolicy) { b.Name = "other" })),
			ReasonInvalidName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.policy.Rejected || reasons(tt.policy) != tt.reason {
				t.Errorf("rejected=%v reasons=%q, want rejected with %s", tt.policy.Rejected, reasons(tt.policy), tt.reason)
			}
		})
	}
	if p := FromANP(testobj.ANP("edge", 1000, allSubject)); p.Rejected {
		t.Errorf("priority 1000 is valid: %v", p.Problems)
	}
}

func TestCompileOrdersAndReportsTies(t *testing.T) {
	s := &cluster.Snapshot{ANPs: []*anpv1alpha1.AdminNetworkPolicy{testobj.ANP("zeta", 5, allSubject),
		testobj.ANP("alpha", 5, allSubject), testobj.ANP("first", 1, allSubject),
		testobj.ANP("bad", 5, allSubject, func(a *anpv1alpha1.AdminNetworkPolicy) { a.Spec.Subject.Namespaces = nil })}}
	ps := Compile(s)
	var order []string
	for _, p := range ps {
		order = append(order, p.Owner.Name+":"+reasons(p))
	}
	want := "first:,alpha:PriorityConflict,bad:InvalidSubject,zeta:PriorityConflict"
	if got := strings.Join(order, ","); got != want {
		t.Errorf("order = %s, want %s", got, want)
	}
}

func TestFromNetworkPolicy(t *testing.T) {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port80, named, end := intstr.FromInt32(80), intstr.FromString("web"), int32(90)
	tests := []struct {
		name     string
		spec     networkingv1.NetworkPolicySpec
		isolates []Direction
		ingress  int
		egress   int
		check    func(t *testing.T, p *Policy)
	}{
		{name: "default types: ingress only", spec: networkingv1.NetworkPolicySpec{}, isolates: []Direction{Ingress}},
		{name: "egress rules imply egress",
			spec:     networkingv1.NetworkPolicySpec{Egress: []networkingv1.NetworkPolicyEgressRule{{}}},
			isolates: []Direction{Ingress, Egress}, egress: 1,
			check: func(t *testing.T, p *Policy) {
				if r := p.Egress[0]; !r.AnyPeer || !r.AnyPort {
					t.Errorf("empty egress rule must match everything: %+v", r)
				}
			}},
		{name: "rules of a direction not in policyTypes are ignored",
			spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
				Ingress: []networkingv1.NetworkPolicyIngressRule{{}}},
			isolates: []Direction{Egress}},
		{name: "ports: number, range, named, protocol only",
			spec: networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{{Port: &port80}, {Protocol: &tcp, Port: &port80, EndPort: &end},
					{Protocol: &udp, Port: &named}, {Protocol: &udp}}}}},
			isolates: []Direction{Ingress}, ingress: 1,
			check: func(t *testing.T, p *Policy) {
				got := ""
				for _, port := range p.Ingress[0].Ports {
					got += port.String() + " "
				}
				if got != "TCP/80 TCP/80-90 UDP/web UDP " {
					t.Errorf("ports = %q", got)
				}
			}},
		{name: "peers: pods in own namespace, namespaces, both, ipBlock with except",
			spec: networkingv1.NetworkPolicySpec{Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From: []networkingv1.NetworkPolicyPeer{
					{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}}},
					{NamespaceSelector: &metav1.LabelSelector{}},
					{NamespaceSelector: &metav1.LabelSelector{}, PodSelector: &metav1.LabelSelector{}},
					{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.1/8", Except: []string{"10.1.0.0/16"}}},
					{IPBlock: &networkingv1.IPBlock{CIDR: "bogus"}}}}}},
			isolates: []Direction{Ingress}, ingress: 1,
			check: func(t *testing.T, p *Policy) {
				peers := p.Ingress[0].Peers
				if len(peers) != 4 || peers[0].Namespace != "ns" || peers[1].Namespace != "" ||
					peers[3].Networks[0].String() != "10.0.0.0/8 except [10.1.0.0/16]" {
					t.Errorf("peers = %+v", peers)
				}
				if reasons(p) != ReasonCIDRHostBits+","+ReasonFailClosed {
					t.Errorf("host bits and the bad ipBlock must be reported: %v", p.Problems)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := FromNetworkPolicy(
				&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "np"}, Spec: tt.spec}, nil)
			sameDirs := strings.Join(dirs(p.Isolates), ",") == strings.Join(dirs(tt.isolates), ",")
			if !sameDirs || len(p.Ingress) != tt.ingress || len(p.Egress) != tt.egress {
				t.Errorf("isolates=%v ingress=%d egress=%d", p.Isolates, len(p.Ingress), len(p.Egress))
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func dirs(ds []Direction) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d))
	}
	return out
}

func TestParseLogging(t *testing.T) {
	tests := []struct {
		in      string
		want    Logging
		wantErr bool
	}{
		{"", Logging{}, false},
		{`{"allow":"notice","deny":"alert","pass":"warning"}`,
			Logging{Allow: "notice", Deny: "alert", Pass: "warning"}, false},
		{`{"deny":"loud"}`, Logging{}, true},
		{`{"drop":"alert"}`, Logging{}, true},
		{`not json`, Logging{}, true},
	}
	for _, tt := range tests {
		got, err := ParseLogging(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseLogging(%q) = %+v, %v", tt.in, got, err)
		}
	}
	p := FromANP(testobj.ANP("a", 1, allSubject, func(a *anpv1alpha1.AdminNetworkPolicy) {
		a.Annotations = map[string]string{LoggingAnnotation: "{"}
	}))
	if p.Rejected || reasons(p) != ReasonInvalidLogging {
		t.Errorf("a bad logging annotation is a warning, the policy is still programmed: %v", p.Problems)
	}
}
