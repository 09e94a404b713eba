package translate

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnmatch"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// checkRows fails the test unless every match parses and the state is one nbsync will write.
func checkRows(t *testing.T, st nbrows.State) {
	t.Helper()
	for _, a := range st.ACLs {
		if _, err := ovnmatch.Parse(a.Match); err != nil {
			t.Errorf("ACL %s: match %q does not parse: %v", a.Name, a.Match, err)
		}
	}
	if err := st.Validate(); err != nil {
		t.Errorf("state: %v", err)
	}
}

func problemsOf(res *Result, owner string) []policy.Problem {
	for _, p := range res.Policies {
		if p.Owner.String() == owner {
			return p.Problems
		}
	}
	return nil
}

func hasProblem(ps []policy.Problem, reason, text string) bool {
	for _, p := range ps {
		if p.Reason == reason && strings.Contains(p.Message, text) {
			return true
		}
	}
	return false
}

// TestDuplicatePolicyTypesOneRowEach: [Egress, Egress] made every egress row twice under one name.
func TestDuplicatePolicyTypesOneRowEach(t *testing.T) {
	np := testobj.NetworkPolicy("db", "twice", testobj.Sel(), testobj.NPEgress(testobj.NPPeer(testobj.Sel(), nil)))
	np.Spec.PolicyTypes = append(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) // listed twice
	st := Translate(with(baseCluster(), np), Options{}).State
	checkRows(t, st)
	if got := len(aclsOf(st, "db/twice")); got != 3 {
		t.Errorf("%d ACLs, want 3 (rule, neighbor, isolation):\n%s", got, strings.Join(aclsOf(st, "db/twice"), "\n"))
	}
}

// TestInvalidContainerPort: a named container port of 65536 made `tcp.dst == 65536`, and one of protocol
// ICMP `icmp.dst == 80` (FuzzTranslate found that one); OVN drops such an ACL whole, so the Deny let
// everything through. The pod is left out of the named port, and said so.
func TestInvalidContainerPort(t *testing.T) {
	for _, cp := range []corev1.ContainerPort{
		{Name: "http", ContainerPort: 65536}, {Name: "http", ContainerPort: 80, Protocol: "ICMP"},
	} {
		s := baseCluster()
		s.Pods = append(
			s.Pods,
			testobj.Pod("web", "w3", testobj.Labels("app", "web"), testobj.IP("10.0.0.3"), testobj.Ports(cp)),
		)
		deny := testobj.ANP("deny-http", 1, testobj.SubjectNamespaces(testobj.Sel("tier", "db")))
		deny.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{egressRule(
			"Deny",
			anpv1alpha1.AdminNetworkPolicyEgressPeer{
				Namespaces: &metav1.LabelSelector{},
			},
			anpv1alpha1.AdminNetworkPolicyPort{NamedPort: named("http")},
		)}
		res := Translate(with(s, deny), Options{})
		checkRows(t, res.State)
		got := aclsOf(res.State, "deny-http")
		if len(got) != 1 || strings.Contains(got[0], "65536") || strings.Contains(got[0], "icmp") ||
			!strings.Contains(got[0], "tcp.dst == 8080") {
			t.Errorf("%+v: ACLs = %v, want one drop of TCP ports 8080 and 8081 only", cp, got)
		}
		want := fmt.Sprintf("web/w3 has %s/%d", cp.Protocol, cp.ContainerPort)
		if cp.Protocol == "" {
			want = "web/w3 has TCP/65536"
		}
		if ps := problemsOf(res, "AdminNetworkPolicy/deny-http"); !hasProblem(ps, policy.ReasonInvalidPort, want) {
			t.Errorf("%+v: problems = %v, want a warning naming web/w3", cp, ps)
		}
	}
}

// TestInvalidPortFailsClosed: a port the compiler let through but OVN cannot match (here one built by
// hand) fails its rule closed instead of reaching NB: Deny denies all, Allow matches nothing.
func TestInvalidPortFailsClosed(t *testing.T) {
	bad := []policy.Port{{Protocol: corev1.ProtocolTCP, Start: 70000, End: 70000}}
	tests := []struct {
		action policy.Action
		want   []string
	}{
		{policy.ActionDeny, []string{"from-lport 1 32735 drop inport == @PG && ip"}},
		{policy.ActionPass, []string{"from-lport 1 32735 drop inport == @PG && ip"}},
		{policy.ActionAllow, nil},
	}
	for _, tt := range tests {
		p := &policy.Policy{Owner: policy.Owner{Kind: policy.KindANP, Name: "p"}, Tier: policy.TierAdmin, Priority: 1,
			Subject: policy.Subject{NamespaceSelector: labels.Everything(), PodSelector: labels.Everything()},
			Egress:  []policy.Rule{{Direction: policy.Egress, Action: tt.action, AnyPeer: true, Ports: bad}}}
		b := &builder{ix: cluster.NewIndex(baseCluster(), nil), selections: map[string]*Selection{}}
		b.sets = newAddressSets(b.ix, b.selections, 1, Options{})
		b.addClusterPolicy(p, allocateBands([]*policy.Policy{p})[p.Owner])
		got := aclsOf(b.state, "p")
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: ACLs %v, want %v", tt.action, got, tt.want)
		}
		if !hasProblem(p.Problems, policy.ReasonFailClosed, "TCP/70000") {
			t.Errorf("%s: problems %v, want the rule reported failed closed", tt.action, p.Problems)
		}
		checkRows(t, nbrows.State{ACLs: b.state.ACLs, PortGroups: b.state.PortGroups})
	}
}

// TestDuplicateNamesReported: two ACLs of one name are an internal error on their policy.
func TestDuplicateNamesReported(t *testing.T) {
	p := &policy.Policy{Owner: policy.Owner{Kind: policy.KindANP, Name: "p"}, Tier: policy.TierAdmin}
	acl := nbrows.ACL{Name: "anp:p:in:0", ExternalIDs: ownerIDs(p)}
	b := &builder{state: nbrows.State{ACLs: []nbrows.ACL{acl, acl}}}
	b.checkNames([]*policy.Policy{p})
	if !hasProblem(p.Problems, policy.ReasonInternalError, "two ACLs are named anp:p:in:0") {
		t.Errorf("problems = %v", p.Problems)
	}
}

// TestRememberedShapesJudgeAsTheParser: once a match of one shape has parsed, checkRuleMatch answers for
// the others from memory; its verdicts must still be the parser's, matches that only look alike included.
func TestRememberedShapesJudgeAsTheParser(t *testing.T) {
	b := &builder{}
	for _, m := range []string{
		"outport == @pg_a && (ip4.src == $s_a_v4 || ip6.src == $s_a_v6)",
		"outport == @pg_b && (ip4.src == $s_b_v4 || ip6.src == $s_b_v6)", // same shape: from memory
		"outport == @pg9 && (ip4.src == {$x, $y.z} || ip6.src == $_w)",
		"outport == @pg && (ip4.src == {$x, $9y} || ip6.src == $w)", // a name cannot start with a digit
		"outport == @ && ip",
		"outport == @pg && ip4.src == $",
		"outport == @pg && (tcp.dst == 65536)",
		"outport == @pg && (tcp.dst == 80)",
		`outport == @pg && inport == "$a"`,
		`outport == @pg && inport == "$a" && ip`,
		"inport == @pg && ip4.dst == $a && ip6.dst == $b || ip",
		"inport == @pg2 && ip4.dst == $c && ip6.dst == $d || ip", // same bad shape twice
	} {
		_, perr := ovnmatch.Parse(m)
		if got := b.checkRuleMatch(m); (got == nil) != (perr == nil) {
			t.Errorf("checkRuleMatch(%q) = %v, the parser says %v", m, got, perr)
		}
	}
}
