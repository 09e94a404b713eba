package policy

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

var (
	cnpAllSubject    = testobj.CNPSubjectNamespaces(&metav1.LabelSelector{})
	cnpAllNamespaces = []cnpv1beta1.ClusterNetworkPolicyEgressPeer{{Namespaces: &metav1.LabelSelector{}}}
	cnpDomains       = []cnpv1beta1.ClusterNetworkPolicyEgressPeer{{DomainNames: []cnpv1beta1.DomainName{"example.com"}},
		{Namespaces: &metav1.LabelSelector{}}}
)

func protocols(ps ...cnpv1beta1.ClusterNetworkPolicyProtocol) []cnpv1beta1.ClusterNetworkPolicyProtocol {
	return ps
}

func tcp(n int32) cnpv1beta1.ClusterNetworkPolicyProtocol {
	return cnpv1beta1.ClusterNetworkPolicyProtocol{TCP: &cnpv1beta1.ClusterNetworkPolicyProtocolTCP{
		DestinationPort: &cnpv1beta1.Port{Number: n}}}
}

func udpRange(a, b int32) cnpv1beta1.ClusterNetworkPolicyProtocol {
	return cnpv1beta1.ClusterNetworkPolicyProtocol{UDP: &cnpv1beta1.ClusterNetworkPolicyProtocolUDP{
		DestinationPort: &cnpv1beta1.Port{Range: &cnpv1beta1.PortRange{Start: a, End: b}}}}
}

func TestFromCNP(t *testing.T) {
	many := make([]cnpv1beta1.ClusterNetworkPolicyEgressPeer, 26)
	for i := range many {
		many[i] = cnpAllNamespaces[0]
	}
	named := cnpv1beta1.ClusterNetworkPolicyProtocol{DestinationNamedPort: "web"}
	nodes := []cnpv1beta1.ClusterNetworkPolicyEgressPeer{{Nodes: &metav1.LabelSelector{}}}
	tcpNoPort := cnpv1beta1.ClusterNetworkPolicyProtocol{TCP: &cnpv1beta1.ClusterNetworkPolicyProtocolTCP{}}
	tcpAndUDP := cnpv1beta1.ClusterNetworkPolicyProtocol{TCP: tcp(1).TCP, UDP: udpRange(1, 2).UDP}
	// rule makes CNP "a" with one egress rule.
	rule := func(tier cnpv1beta1.Tier, prio int32, action cnpv1beta1.ClusterNetworkPolicyRuleAction,
		protos []cnpv1beta1.ClusterNetworkPolicyProtocol,
		to ...cnpv1beta1.ClusterNetworkPolicyEgressPeer) *cnpv1beta1.ClusterNetworkPolicy {
		return testobj.CNP("a", tier, prio, cnpAllSubject, testobj.CNPEgressRule("r", action, protos, to...))
	}
	tests := []struct {
		name        string
		cnp         *cnpv1beta1.ClusterNetworkPolicy
		wantTier    Tier
		wantAction  Action
		wantAnyPeer bool
		wantPeers   int
		wantPorts   []Port
		wantReason  string // the first problem's reason, "" for none
		rejected    bool
	}{
		{"admin accept", rule("Admin", 1000, "Accept", nil, cnpAllNamespaces...),
			TierAdmin, ActionAllow, false, 1, nil, "", false},
		{"baseline pass with ports",
			rule("Baseline", 0, "Pass", protocols(tcp(80), udpRange(5000, 5010), named), cnpAllNamespaces...),
			TierBaseline, ActionPass, false, 1, []Port{{Protocol: "TCP", Start: 80, End: 80},
				{Protocol: "UDP", Start: 5000, End: 5010}, {Name: "web"}}, "", false},
		{"accept: a domainNames peer matches nothing, the others still do", rule("Admin", 1, "Accept", nil, cnpDomains...),
			TierAdmin, ActionAllow, false, 1, nil, ReasonDomainNames, false},
		{"deny with domainNames fails closed", rule("Admin", 1, "Deny", nil, cnpDomains...),
			TierAdmin, ActionDeny, true, 0, nil, ReasonFailClosed, false},
		{"pass with domainNames fails closed", rule("Baseline", 1, "Pass", nil, cnpDomains...),
			TierBaseline, ActionDeny, true, 0, nil, ReasonFailClosed, false},
		{"ANP action names are not CNP's", rule("Admin", 1, "Allow", nil, cnpAllNamespaces...),
			TierAdmin, ActionDeny, true, 0, nil, ReasonFailClosed, false},
		{"26 peers fail closed", rule("Admin", 1, "Accept", nil, many...),
			TierAdmin, ActionAllow, false, 0, nil, ReasonFailClosed, false},
		{"tcp without a port fails closed", rule("Admin", 1, "Deny", protocols(tcpNoPort), cnpAllNamespaces...),
			TierAdmin, ActionDeny, true, 0, nil, ReasonFailClosed, false},
		{"two protocols in one entry fail closed", rule("Admin", 1, "Deny", protocols(tcpAndUDP), cnpAllNamespaces...),
			TierAdmin, ActionDeny, true, 0, nil, ReasonFailClosed, false},
		{"reversed range fails closed", rule("Admin", 1, "Accept", protocols(udpRange(90, 80)), cnpAllNamespaces...),
			TierAdmin, ActionAllow, false, 0, nil, ReasonFailClosed, false},
		{"named port with a nodes peer fails closed", rule("Admin", 1, "Deny", protocols(named), nodes...),
			TierAdmin, ActionDeny, true, 0, nil, ReasonFailClosed, false},
		{"priority 1001 is rejected", rule("Admin", 1001, "Deny", nil, cnpAllNamespaces...),
			TierAdmin, ActionDeny, false, 1, nil, ReasonInvalidPriority, true},
		{"unknown tier is rejected", rule("Developer", 1, "Deny", nil, cnpAllNamespaces...),
			TierBaseline, ActionDeny, false, 1, nil, ReasonInvalidTier, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := FromCNP(tt.cnp)
			if p.Tier != tt.wantTier || p.Rejected != tt.rejected || p.Owner.Kind != KindCNP {
				t.Fatalf("tier %v rejected %v kind %s; want %v %v", p.Tier, p.Rejected, p.Owner.Kind, tt.wantTier, tt.rejected)
			}
			r := p.Egress[0]
			if r.Action != tt.wantAction || r.AnyPeer != tt.wantAnyPeer || len(r.Peers) != tt.wantPeers {
				t.Errorf("rule: action %s anyPeer %v peers %d; want %s %v %d", r.Action, r.AnyPeer, len(r.Peers), tt.wantAction,
					tt.wantAnyPeer, tt.wantPeers)
			}
			if tt.wantPorts != nil && (r.AnyPort || len(r.Ports) != len(tt.wantPorts)) {
				t.Fatalf("ports %v anyPort %v; want %v", r.Ports, r.AnyPort, tt.wantPorts)
			}
			for i, want := range tt.wantPorts {
				if r.Ports[i] != want {
					t.Errorf("port %d: %v, want %v", i, r.Ports[i], want)
				}
			}
			if tt.wantPorts == nil && tt.wantReason == "" && !r.AnyPort {
				t.Errorf("a rule without protocols must match every port")
			}
			got := ""
			if len(p.Problems) > 0 {
				got = p.Problems[0].Reason
			}
			if got != tt.wantReason {
				t.Errorf("problems %v; want reason %q", p.Problems, tt.wantReason)
			}
		})
	}
}

func TestCNPRuleLimit(t *testing.T) {
	c := testobj.CNP("a", "Admin", 1, cnpAllSubject)
	for i := 0; i < 26; i++ {
		testobj.CNPEgressRule("r", "Deny", nil, cnpAllNamespaces...)(c)
	}
	if p := FromCNP(c); !p.Rejected || p.Problems[0].Reason != ReasonTooManyRules {
		t.Errorf("26 egress rules: rejected %v problems %v", p.Rejected, p.Problems)
	}
	c.Spec.Egress = c.Spec.Egress[:25]
	if p := FromCNP(c); p.Rejected {
		t.Errorf("25 egress rules are allowed: %v", p.Problems)
	}
}

// TestMixedOrder pins the order of both APIs in one tier: priority first; at equal priority the older
// kind (ANP, BANP) before ClusterNetworkPolicy, then name; each tie reported.
func TestMixedOrder(t *testing.T) {
	s := &cluster.Snapshot{
		ANPs: []*anpv1alpha1.AdminNetworkPolicy{testobj.ANP("z", 5, allSubject), testobj.ANP("b", 7, allSubject)},
		CNPs: []*cnpv1beta1.ClusterNetworkPolicy{
			testobj.CNP("a", "Admin", 5, cnpAllSubject), testobj.CNP("c", "Admin", 1, cnpAllSubject),
			testobj.CNP("base", "Baseline", 0, cnpAllSubject), testobj.CNP("base2", "Baseline", 2, cnpAllSubject)},
		BANPs: []*anpv1alpha1.BaselineAdminNetworkPolicy{testobj.BANP(allSubject)}}
	var got []string
	for _, p := range Compile(s) {
		got = append(got, p.Owner.String())
	}
	want := []string{"ClusterNetworkPolicy/c", "AdminNetworkPolicy/z", "ClusterNetworkPolicy/a", "AdminNetworkPolicy/b",
		"BaselineAdminNetworkPolicy/default", "ClusterNetworkPolicy/base", "ClusterNetworkPolicy/base2"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	for _, p := range Compile(s) {
		tied := p.Owner.Name == "z" || p.Owner.Name == "a" || p.Owner.Name == "default" || p.Owner.Name == "base"
		has := len(p.Problems) > 0 && p.Problems[0].Reason == ReasonPriorityConflict
		if tied != has {
			t.Errorf("%s: tie reported %v, want %v (%v)", p.Owner, has, tied, p.Problems)
		}
	}
}
