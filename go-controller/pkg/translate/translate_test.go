package translate

import (
	"math/rand"
	"reflect"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

func baseCluster() *cluster.Snapshot {
	host := testobj.Pod("infra", "agent", testobj.Labels("app", "web"), testobj.IP("172.18.0.10"))
	host.Spec.HostNetwork = true
	return &cluster.Snapshot{
		Namespaces: []*corev1.Namespace{
			testobj.Namespace("web", testobj.Labels("tier", "web")),
			testobj.Namespace("db", testobj.Labels("tier", "db")),
			testobj.Namespace("infra"),
		},
		Pods: []*corev1.Pod{
			testobj.Pod(
				"web",
				"w1",
				testobj.Labels("app", "web"),
				testobj.IP("10.0.0.1", "fd00::1"),
				testobj.Ports(corev1.ContainerPort{Name: "http", ContainerPort: 8080}),
			),
			testobj.Pod(
				"web",
				"w2",
				testobj.Labels("app", "web"),
				testobj.IP("10.0.0.2"),
				testobj.Ports(corev1.ContainerPort{Name: "http", ContainerPort: 8081}),
			),
			testobj.Pod("db", "d1", testobj.Labels("app", "db"), testobj.IP("10.0.1.1")),
			host,
		},
		Nodes: []*corev1.Node{
			testobj.Node("n1", testobj.Labels("role", "cp"), testobj.NodeIP("172.18.0.10", "fd18::10")),
		},
	}
}

func with(s *cluster.Snapshot, objs ...any) *cluster.Snapshot {
	for _, o := range objs {
		switch o := o.(type) {
		case *anpv1alpha1.AdminNetworkPolicy:
			s.ANPs = append(s.ANPs, o)
		case *anpv1alpha1.BaselineAdminNetworkPolicy:
			s.BANPs = append(s.BANPs, o)
		case *networkingv1.NetworkPolicy:
			s.NetworkPolicies = append(s.NetworkPolicies, o)
		}
	}
	return s
}

func egressRule(
	action string,
	to anpv1alpha1.AdminNetworkPolicyEgressPeer,
	ports ...anpv1alpha1.AdminNetworkPolicyPort,
) anpv1alpha1.AdminNetworkPolicyEgressRule {
	r := anpv1alpha1.AdminNetworkPolicyEgressRule{
		Name:   "e",
		Action: anpv1alpha1.AdminNetworkPolicyRuleAction(action),
		To:     []anpv1alpha1.AdminNetworkPolicyEgressPeer{to},
	}
	if ports != nil {
		r.Ports = &ports
	}
	return r
}

func named(n string) *string { return &n }

// aclsOf returns "priority action match" per ACL of one owner, in acl-list order, with the generated
// port group and address set names replaced by short placeholders so the expectations stay readable.
func aclsOf(st nbrows.State, owner string) []string {
	names := map[string]string{}
	for _, pg := range st.PortGroups {
		names["@"+pg.Name] = "@PG"
	}
	for _, as := range st.AddressSets {
		names["$"+as.Name] = "$" + strings.ReplaceAll(
			as.ExternalIDs[nbrows.KeyOwnerKind]+"_"+as.ExternalIDs[nbrows.KeyIPFamily],
			"ipv",
			"v",
		)
	}
	var out []string
	for _, a := range st.ACLs {
		if a.ExternalIDs[nbrows.KeyOwnerName] != owner || a.ExternalIDs[nbrows.KeyACLRole] == nbrows.RoleStateful {
			continue
		}
		m := a.Match
		for k, v := range names {
			m = strings.ReplaceAll(m, k, v)
		}
		out = append(
			out,
			strings.Join([]string{a.Direction, strconv.Itoa(a.Tier), strconv.Itoa(a.Priority), a.Action, m}, " "),
		)
	}
	return out
}

func TestRuleShapes(t *testing.T) {
	tcp80 := anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Port: 80}}
	udp53 := anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Protocol: "UDP", Port: 53}}
	rng := anpv1alpha1.AdminNetworkPolicyPort{
		PortRange: &anpv1alpha1.PortRange{Protocol: "SCTP", Start: 5000, End: 5100},
	}
	webNS := anpv1alpha1.AdminNetworkPolicyEgressPeer{
		Namespaces: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "web"}},
	}
	tests := []struct {
		name  string
		rules []anpv1alpha1.AdminNetworkPolicyEgressRule
		want  []string
	}{
		{"deny to namespaces, any port", []anpv1alpha1.AdminNetworkPolicyEgressRule{egressRule("Deny", webNS)},
			[]string{"from-lport 1 32767 drop inport == @PG && (ip4.dst == $PeerSet_v4 || ip6.dst == $PeerSet_v6)"}},
		{
			"ports grouped by protocol, ranges apart",
			[]anpv1alpha1.AdminNetworkPolicyEgressRule{egressRule("Allow", webNS, tcp80, udp53, rng)},
			[]string{
				"from-lport 1 32767 allow-related inport == @PG && (ip4.dst == $PeerSet_v4 || ip6.dst == $PeerSet_v6) && " +
					"(tcp.dst == 80 || udp.dst == 53 || (sctp.dst >= 5000 && sctp.dst <= 5100))",
			},
		},
		{
			"rules in order, pass",
			[]anpv1alpha1.AdminNetworkPolicyEgressRule{egressRule("Pass", webNS), egressRule("Deny", webNS)},
			[]string{"from-lport 1 32767 pass inport == @PG && (ip4.dst == $PeerSet_v4 || ip6.dst == $PeerSet_v6)",
				"from-lport 1 32766 drop inport == @PG && (ip4.dst == $PeerSet_v4 || ip6.dst == $PeerSet_v6)"},
		},
		{
			"networks with both families",
			[]anpv1alpha1.AdminNetworkPolicyEgressRule{
				egressRule(
					"Deny",
					anpv1alpha1.AdminNetworkPolicyEgressPeer{
						Networks: []anpv1alpha1.CIDR{"10.0.0.1/8", "fd00::/64", "192.168.0.0/16"},
					},
				),
			},
			[]string{
				"from-lport 1 32767 drop inport == @PG && (ip4.dst == {10.0.0.0/8, 192.168.0.0/16} || ip6.dst == fd00::/64)",
			},
		},
		{
			"named port resolves per number",
			[]anpv1alpha1.AdminNetworkPolicyEgressRule{
				egressRule("Allow", webNS, anpv1alpha1.AdminNetworkPolicyPort{NamedPort: named("http")}),
			},
			[]string{
				"from-lport 1 32767 allow-related inport == @PG && (ip4.dst == $PeerSet_v4 || ip6.dst == $PeerSet_v6) && " +
					"(((ip4.dst == $NamedPort_v4 || ip6.dst == $NamedPort_v6) && tcp.dst == 8080) || " +
					"((ip4.dst == $NamedPort_v4 || ip6.dst == $NamedPort_v6) && tcp.dst == 8081))",
			},
		},
		{
			"named port no pod has: no row",
			[]anpv1alpha1.AdminNetworkPolicyEgressRule{
				egressRule("Allow", webNS, anpv1alpha1.AdminNetworkPolicyPort{NamedPort: named("nope")}),
			},
			nil,
		},
		{
			"fail closed deny",
			[]anpv1alpha1.AdminNetworkPolicyEgressRule{egressRule("Deny", anpv1alpha1.AdminNetworkPolicyEgressPeer{})},
			[]string{"from-lport 1 32767 drop inport == @PG && ip"},
		},
		{
			"fail closed allow: no row",
			[]anpv1alpha1.AdminNetworkPolicyEgressRule{egressRule("Allow", anpv1alpha1.AdminNetworkPolicyEgressPeer{})},
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := testobj.ANP("p", 0, testobj.SubjectNamespaces(testobj.Sel("tier", "db")))
			a.Spec.Egress = tt.rules
			got := aclsOf(Translate(with(baseCluster(), a), Options{}).State, "p")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestNetworkPolicyShape(t *testing.T) {
	port := intstr.FromInt32(5432)
	np := testobj.NetworkPolicy("db", "allow-web", testobj.Sel("app", "db"),
		testobj.NPIngress(testobj.NPPeer(testobj.Sel("tier", "web"), nil)))
	np.Spec.Ingress[0].Ports = []networkingv1.NetworkPolicyPort{{Port: &port}}
	st := Translate(with(baseCluster(), np), Options{}).State
	want := []string{
		"to-lport 2 1001 allow outport == @PG && (arp || nd)",
		"to-lport 2 1001 allow-related outport == @PG && (ip4.src == $PeerSet_v4 || ip6.src == $PeerSet_v6) && " +
			"(tcp.dst == 5432)",
		"to-lport 2 1000 drop outport == @PG",
	}
	if got := aclsOf(st, "db/allow-web"); !reflect.DeepEqual(got, want) {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	pgs := st.PortGroupByName()
	if pg := pgs[st.ACLs[0].PortGroup]; pg == nil || !reflect.DeepEqual(pg.Ports, []string{"db_d1"}) {
		t.Errorf("port group = %+v", pg)
	}
}

func TestMembershipAndSharing(t *testing.T) {
	webPods := anpv1alpha1.AdminNetworkPolicyEgressPeer{
		Namespaces: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "web"}},
	}
	a1, a2 := testobj.ANP(
		"a1",
		1,
		testobj.SubjectNamespaces(testobj.Sel()),
	), testobj.ANP(
		"a2",
		2,
		testobj.SubjectNamespaces(testobj.Sel()),
	)
	a1.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{egressRule("Deny", webPods)}
	a2.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{
		egressRule("Allow", webPods),
		egressRule("Allow", anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: &metav1.LabelSelector{}}),
	}
	st := Translate(with(baseCluster(), a1, a2), Options{}).State
	sets := map[string][]string{}
	for _, as := range st.AddressSets {
		sets[as.ExternalIDs[nbrows.KeyPeer]+" "+as.ExternalIDs[nbrows.KeyIPFamily]] = as.Addresses
	}
	want := map[string][]string{
		"pods where namespace (tier=web) and pod (all) ipv4": {"10.0.0.1", "10.0.0.2"},
		"pods where namespace (tier=web) and pod (all) ipv6": {"fd00::1"},
		"nodes where (all) ipv4":                             {"172.18.0.10"},
		"nodes where (all) ipv6":                             {"fd18::10"},
	}
	if !reflect.DeepEqual(sets, want) {
		t.Errorf("address sets (two rules share the web set) = %v", sets)
	}
	for _, pg := range st.PortGroups {
		if !reflect.DeepEqual(pg.Ports, []string{"db_d1", "web_w1", "web_w2"}) {
			t.Errorf("%s ports = %v: the host-network pod must not be a subject", pg.Name, pg.Ports)
		}
	}
}

func TestNamesAndExternalIDs(t *testing.T) {
	long := testobj.ANP(strings.Repeat("very-long-name-", 6), 3, testobj.SubjectNamespaces(testobj.Sel()))
	long.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{
		egressRule("Deny", anpv1alpha1.AdminNetworkPolicyEgressPeer{Networks: []anpv1alpha1.CIDR{"0.0.0.0/0"}}),
	}
	long.Spec.Egress[0].Name = "deny-world"
	st := Translate(with(baseCluster(), long), Options{}).State
	acl := st.ACLs[0]
	if len(acl.Name) > 63 || !strings.HasPrefix(acl.Name, "anp:very-long-name-") ||
		!strings.HasSuffix(acl.Name, ":eg:0") {
		t.Errorf("name %q (%d chars)", acl.Name, len(acl.Name))
	}
	want := map[string]string{
		nbrows.KeyManagedBy:  "tieracl",
		nbrows.KeyOwnerKind:  "AdminNetworkPolicy",
		nbrows.KeyOwnerName:  long.Name,
		nbrows.KeyPriority:   "3",
		nbrows.KeyDirection:  "Egress",
		nbrows.KeyRuleIndex:  "0",
		nbrows.KeyRuleName:   "deny-world",
		nbrows.KeyRuleAction: "Deny",
		nbrows.KeyACLRole:    "rule",
	}
	if !reflect.DeepEqual(acl.ExternalIDs, want) {
		t.Errorf("external_ids = %v", acl.ExternalIDs)
	}
	if acl.Options[nbrows.OptionApplyAfterLB] != "true" {
		t.Errorf("egress ACLs must apply after load balancing: %v", acl.Options)
	}
	for _, n := range append([]string{st.PortGroups[0].Name}, st.ACLs[0].PortGroup) {
		if strings.Trim(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
			t.Errorf("%q is not a valid OVN identifier", n)
		}
	}
}

func TestLoggingAndRejected(t *testing.T) {
	a := testobj.ANP("logged", 1, testobj.SubjectNamespaces(testobj.Sel()))
	a.Annotations = map[string]string{"k8s.ovn.org/acl-logging": `{"deny":"alert","allow":"notice"}`}
	a.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{
		egressRule("Deny", anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: &metav1.LabelSelector{}}),
	}
	bad := &anpv1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "not-default"},
		Spec: anpv1alpha1.BaselineAdminNetworkPolicySpec{
			Subject: testobj.SubjectNamespaces(testobj.Sel()),
			Egress: []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{
				{
					Action: "Deny",
					To:     []anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{{Nodes: &metav1.LabelSelector{}}},
				},
			},
		}}
	res := Translate(with(baseCluster(), a, bad), Options{})
	if len(res.State.ACLs) != 2 || !res.State.ACLs[0].Log || res.State.ACLs[0].Severity != "alert" ||
		res.State.ACLs[1].Log {
		t.Errorf("ACLs = %+v", res.State.ACLs)
	}
	for _, p := range res.Policies {
		if p.Owner.Name == "not-default" && (!p.Rejected || len(p.Problems) == 0) {
			t.Errorf("BANP not-default must be rejected with a reason")
		}
	}
}

// The translation is a function of the objects, not of their order.
func TestDeterministic(t *testing.T) {
	for i := int64(0); i < 50; i++ {
		s := synth.Random(rand.New(rand.NewSource(i)))
		first := Translate(s, Options{}).State
		shuffle(s, rand.New(rand.NewSource(i+1000)))
		if second := Translate(s, Options{}).State; !reflect.DeepEqual(first, second) {
			t.Fatalf("seed %d: translation depends on input order", i)
		}
	}
}

func shuffle(s *cluster.Snapshot, r *rand.Rand) {
	r.Shuffle(len(s.Pods), func(i, j int) { s.Pods[i], s.Pods[j] = s.Pods[j], s.Pods[i] })
	r.Shuffle(len(s.ANPs), func(i, j int) { s.ANPs[i], s.ANPs[j] = s.ANPs[j], s.ANPs[i] })
	r.Shuffle(len(s.Namespaces), func(i, j int) { s.Namespaces[i], s.Namespaces[j] = s.Namespaces[j], s.Namespaces[i] })
	r.Shuffle(len(s.NetworkPolicies), func(i, j int) {
		s.NetworkPolicies[i], s.NetworkPolicies[j] = s.NetworkPolicies[j], s.NetworkPolicies[i]
	})
}

// A switch is stateful in OVN only if some ACL on it is allow-related; a policy of drops alone gets an
// allow-related ACL that matches nothing, so replies of allowed connections are not judged as new traffic.
func TestStatefulACL(t *testing.T) {
	deny := testobj.ANP("deny", 1, testobj.SubjectNamespaces(testobj.Sel()))
	deny.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{
		egressRule("Deny", anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: &metav1.LabelSelector{}}),
	}
	allow := testobj.ANP("allow", 2, testobj.SubjectNamespaces(testobj.Sel()))
	allow.Spec.Egress = []anpv1alpha1.AdminNetworkPolicyEgressRule{
		egressRule("Allow", anpv1alpha1.AdminNetworkPolicyEgressPeer{Nodes: &metav1.LabelSelector{}}),
	}
	denyAll := testobj.NetworkPolicy("db", "deny-all", testobj.Sel())
	st := Translate(with(baseCluster(), deny, allow, denyAll), Options{}).State
	stateful := map[string]string{}
	for _, a := range st.ACLs {
		if a.ExternalIDs[nbrows.KeyACLRole] == nbrows.RoleStateful {
			stateful[a.ExternalIDs[nbrows.KeyOwnerName]] = a.Action + " " + strconv.Itoa(
				a.Priority,
			) + " " + strings.TrimPrefix(
				a.Match,
				"outport == @"+a.PortGroup,
			)
		}
	}
	want := map[string]string{"deny": "allow-related 0  && 0", "db/deny-all": "allow-related 0  && 0"}
	if !reflect.DeepEqual(stateful, want) {
		t.Errorf("stateful ACLs = %v, want %v (none for a policy that already allows)", stateful, want)
	}
}
