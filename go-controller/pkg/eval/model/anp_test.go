package model

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

const (
	none        = "0:Default"
	anpP0       = "AdminNetworkPolicy/p#0"
	isolatedB   = "2:Isolated"
	banpDefault = "BaselineAdminNetworkPolicy/default"
)

// clientSubject selects b/client (and b/done, which is finished and so never selected).
var clientSubject = testobj.SubjectPods(testobj.Sel("team", "b"), testobj.Sel("app", "client"))

// denyAllEgressOfClient isolates b/client for egress with no rules.
var denyAllEgressOfClient = testobj.NetworkPolicy("b", "np", testobj.Sel("app", "client"),
	testobj.Isolate(networkingv1.PolicyTypeEgress))

func TestAdminActions(t *testing.T) {
	runFlowCases(t, []flowCase{
		{name: "no policy allows", src: "b/client", dst: "a/web", port: 80,
			allowed: true, egress: none, ingress: none},
		{name: "allow", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 10, clientSubject,
				testobj.ANPEgressRule("r", allow, nil, testobj.ToNamespaces(testobj.Sel("team", "a"))))},
			allowed: true, egress: "1:Allow " + anpP0, ingress: none},
		{name: "deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 10, clientSubject,
				testobj.ANPEgressRule("r", deny, nil, testobj.ToNamespaces(testobj.Sel("team", "a"))))},
			allowed: false, egress: "1:Deny " + anpP0, ingress: none},
		{name: "allow beats NetworkPolicy isolation", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient,
				testobj.ANP("p", 10, clientSubject, testobj.ANPEgressRule("r", allow, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: true, egress: "1:Allow " + anpP0, ingress: none},
		{name: "deny beats NetworkPolicy allow", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				testobj.NetworkPolicy("b", "np", testobj.Sel(), testobj.NPEgress()),
				testobj.ANP("p", 10, clientSubject, testobj.ANPEgressRule("r", deny, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: false, egress: "1:Deny " + anpP0, ingress: none},
		{name: "pass to isolating NetworkPolicy denies", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient,
				testobj.ANP("p", 10, clientSubject, testobj.ANPEgressRule("r", pass, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: false, egress: "1:Pass " + anpP0 + ", " + isolatedB, ingress: none},
		{name: "pass to allowing NetworkPolicy", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				testobj.NetworkPolicy("b", "np", testobj.Sel(), testobj.NPEgress(testobj.NPPeer(testobj.Sel("team", "a"), nil))),
				testobj.ANP("p", 10, clientSubject, testobj.ANPEgressRule("r", pass, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: true, egress: "1:Pass " + anpP0 + ", 2:Allow NetworkPolicy/b/np#0", ingress: none},
		{name: "pass to BANP deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				testobj.BANP(testobj.SubjectNamespaces(testobj.Sel()),
					testobj.BANPEgressRule("b", banpDeny, nil, testobj.BANPToNamespaces(testobj.Sel()))),
				testobj.ANP("p", 10, clientSubject, testobj.ANPEgressRule("r", pass, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: false, egress: "1:Pass " + anpP0 + ", 3:Deny " + banpDefault + "#0", ingress: none},
		{name: "pass to BANP that does not match", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				testobj.BANP(testobj.SubjectNamespaces(testobj.Sel()),
					testobj.BANPEgressRule("b", banpDeny, nil, testobj.BANPToNamespaces(testobj.Sel("team", "c")))),
				testobj.ANP("p", 10, clientSubject, testobj.ANPEgressRule("r", pass, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: true, egress: "1:Pass " + anpP0 + ", 3:NoMatch, " + none, ingress: none},
		{name: "pass skips lower-precedence ANPs", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				testobj.ANP("p", 10, clientSubject, testobj.ANPEgressRule("r", pass, nil, testobj.ToNamespaces(testobj.Sel()))),
				testobj.ANP("q", 11, clientSubject, testobj.ANPEgressRule("r", deny, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: true, egress: "1:Pass " + anpP0 + ", " + none, ingress: none},
		{name: "no rule matches", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 10, clientSubject,
				testobj.ANPEgressRule("r", deny, nil, testobj.ToNamespaces(testobj.Sel("team", "c"))))},
			allowed: true, egress: "1:NoMatch, " + none, ingress: none},
		{name: "ANP with only ingress rules leaves egress alone", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 10, clientSubject,
				testobj.ANPIngressRule("r", deny, nil, testobj.FromNamespaces(testobj.Sel())))},
			allowed: true, egress: none, ingress: none},
		{name: "later rule matches when the first does not", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 10, clientSubject,
				testobj.ANPEgressRule("db", allow, nil, testobj.ToPods(testobj.Sel(), testobj.Sel("app", "db"))),
				testobj.ANPEgressRule("all", deny, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: false, egress: "1:Deny AdminNetworkPolicy/p#1", ingress: none},
		{name: "first matching rule wins", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 10, clientSubject,
				testobj.ANPEgressRule("web", allow, nil, testobj.ToPods(testobj.Sel(), testobj.Sel("app", "web"))),
				testobj.ANPEgressRule("all", deny, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: true, egress: "1:Allow " + anpP0, ingress: none},
	})
}

func TestAdminPrecedence(t *testing.T) {
	allowAll := testobj.ANPEgressRule("r", allow, nil, testobj.ToNamespaces(testobj.Sel()))
	denyAll := testobj.ANPEgressRule("r", deny, nil, testobj.ToNamespaces(testobj.Sel()))
	runFlowCases(t, []flowCase{
		{name: "lower priority value first", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("a", 20, clientSubject, allowAll), testobj.ANP("z", 10, clientSubject, denyAll)},
			allowed:  false, egress: "1:Deny AdminNetworkPolicy/z#0", ingress: none},
		{name: "priority 0 is valid and first", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("a", 1000, clientSubject, denyAll), testobj.ANP("z", 0, clientSubject, allowAll)},
			allowed:  true, egress: "1:Allow AdminNetworkPolicy/z#0", ingress: none},
		{name: "equal priority broken by name, deny named first", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("beta", 10, clientSubject, allowAll), testobj.ANP("alpha", 10, clientSubject, denyAll)},
			allowed:  false, egress: "1:Deny AdminNetworkPolicy/alpha#0", ingress: none},
		{name: "equal priority broken by name, allow named first", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("beta", 10, clientSubject, denyAll), testobj.ANP("alpha", 10, clientSubject, allowAll)},
			allowed:  true, egress: "1:Allow AdminNetworkPolicy/alpha#0", ingress: none},
		{name: "ANP not selecting the subject is skipped", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("a", 1, testobj.SubjectNamespaces(testobj.Sel("team", "a")), denyAll),
				testobj.ANP("b", 2, clientSubject, allowAll)},
			allowed: true, egress: "1:Allow AdminNetworkPolicy/b#0", ingress: none},
		{name: "priority above 1000 is rejected", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1001, clientSubject, denyAll)},
			allowed:  true, egress: none, ingress: none},
		{name: "negative priority is rejected", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", -1, clientSubject, denyAll)},
			allowed:  true, egress: none, ingress: none},
	})
}

func TestAdminSubjects(t *testing.T) {
	denyAllIn := testobj.ANPIngressRule("r", deny, nil, testobj.FromNamespaces(testobj.Sel()))
	denyAllOut := testobj.ANPEgressRule("r", deny, nil, testobj.ToNamespaces(testobj.Sel()))
	runFlowCases(t, []flowCase{
		{name: "namespaces subject selects every pod of the namespace", src: "b/client", dst: "a/db", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel("team", "a")), denyAllIn)},
			allowed:  false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "namespaces subject skips other namespaces", src: "a/db", dst: "b/client", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel("team", "a")), denyAllIn)},
			allowed:  true, egress: none, ingress: none},
		{name: "pods subject needs namespace and pod labels", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
				denyAllIn)},
			allowed: false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "pods subject: pod labels in another namespace do not count", src: "b/client", dst: "c/x", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
				denyAllIn)},
			allowed: true, egress: none, ingress: none},
		{name: "pods subject: other pod of the namespace not selected", src: "b/client", dst: "a/db", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
				denyAllIn)},
			allowed: true, egress: none, ingress: none},
		{name: "empty namespaces subject selects all", src: "b/client", dst: "c/x", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()), denyAllIn)},
			allowed:  false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "finished pod is never a subject", src: "b/done", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()), denyAllOut)},
			allowed:  true, egress: none, ingress: none},
		{name: "host-network source is not judged", src: "b/host", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()), denyAllOut)},
			allowed:  true, egress: "", ingress: none},
		{name: "host-network source is not a pod peer", src: "b/host", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()), denyAllIn)},
			allowed:  true, egress: "", ingress: "1:NoMatch, " + none},
		{name: "host-network destination is not judged nor a pod peer", src: "b/client", dst: "b/host", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()), denyAllOut)},
			allowed:  true, egress: "1:NoMatch, " + none, ingress: ""},
		{name: "finished pod is not a pod peer", src: "a/web", dst: "b/done", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()),
				testobj.ANPEgressRule("r", deny, nil, testobj.ToPods(testobj.Sel(), testobj.Sel("app", "client"))))},
			allowed: true, egress: "1:NoMatch, " + none, ingress: none},
		{name: "both sides judged: egress allows, ingress denies", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				testobj.ANP("out", 1, clientSubject, testobj.ANPEgressRule("r", allow, nil, testobj.ToNamespaces(testobj.Sel()))),
				testobj.ANP("in", 2, testobj.SubjectNamespaces(testobj.Sel("team", "a")),
					testobj.ANPIngressRule("r", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel())))},
			allowed: false, egress: "1:Allow AdminNetworkPolicy/out#0", ingress: "1:Deny AdminNetworkPolicy/in#0"},
	})
}

func TestAdminEgressPeers(t *testing.T) {
	deny := func(peer anpv1alpha1.AdminNetworkPolicyEgressPeer) []any {
		return []any{testobj.ANP("p", 1, clientSubject,
			testobj.ANPEgressRule("r", anpv1alpha1.AdminNetworkPolicyRuleActionDeny, nil, peer))}
	}
	denied := "1:Deny " + anpP0
	noMatch := "1:NoMatch, " + none
	runFlowCases(t, []flowCase{
		{name: "pods peer matches", src: "b/client", dst: "a/web", port: 80,
			policies: deny(testobj.ToPods(testobj.Sel("team", "a"), testobj.Sel("app", "web"))),
			allowed:  false, egress: denied, ingress: none},
		{name: "pods peer in other namespace", src: "b/client", dst: "c/x", port: 80,
			policies: deny(testobj.ToPods(testobj.Sel("team", "a"), testobj.Sel("app", "web"))),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "pods peer does not match nodes", src: "b/client", dst: "node:n1", port: 80,
			policies: deny(testobj.ToPods(testobj.Sel(), testobj.Sel())),
			allowed:  true, egress: noMatch, ingress: ""},
		{name: "namespaces peer does not match outside IPs", src: "b/client", dst: "ip:8.8.8.8", port: 80,
			policies: deny(testobj.ToNamespaces(testobj.Sel())),
			allowed:  true, egress: noMatch, ingress: ""},
		{name: "nodes peer matches node IP", src: "b/client", dst: "node:n1", port: 80,
			policies: deny(testobj.ToNodes(testobj.Sel("role", "worker"))),
			allowed:  false, egress: denied, ingress: ""},
		{name: "nodes peer matches node IPv6", src: "b/client", dst: "node:n1", port: 80, v6: true,
			policies: deny(testobj.ToNodes(testobj.Sel("role", "worker"))),
			allowed:  false, egress: denied, ingress: ""},
		{name: "nodes peer skips unselected node", src: "b/client", dst: "node:n2", port: 80,
			policies: deny(testobj.ToNodes(testobj.Sel("role", "worker"))),
			allowed:  true, egress: noMatch, ingress: ""},
		{name: "empty nodes peer selects all nodes", src: "b/client", dst: "node:n2", port: 80,
			policies: deny(testobj.ToNodes(testobj.Sel())),
			allowed:  false, egress: denied, ingress: ""},
		{name: "nodes peer matches host-network pod by node IP", src: "b/client", dst: "b/host", port: 80,
			policies: deny(testobj.ToNodes(testobj.Sel("role", "worker"))),
			allowed:  false, egress: denied, ingress: ""},
		{name: "nodes peer does not match pods", src: "b/client", dst: "a/web", port: 80,
			policies: deny(testobj.ToNodes(testobj.Sel())),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "networks peer matches outside IP", src: "b/client", dst: "ip:8.8.8.8", port: 53,
			policies: deny(testobj.ToNetworks("8.8.0.0/16")),
			allowed:  false, egress: denied, ingress: ""},
		{name: "networks peer misses outside IP", src: "b/client", dst: "ip:9.9.9.9", port: 53,
			policies: deny(testobj.ToNetworks("8.8.0.0/16")),
			allowed:  true, egress: noMatch, ingress: ""},
		{name: "networks peer matches pod IPs", src: "b/client", dst: "a/web", port: 80,
			policies: deny(testobj.ToNetworks("10.0.0.1/32")),
			allowed:  false, egress: denied, ingress: none},
		{name: "networks peer matches node IPs", src: "b/client", dst: "node:n2", port: 80,
			policies: deny(testobj.ToNetworks("172.18.0.0/16")),
			allowed:  false, egress: denied, ingress: ""},
		{name: "networks peer IPv6", src: "b/client", dst: "a/web", port: 80, v6: true,
			policies: deny(testobj.ToNetworks("fd00::/64")),
			allowed:  false, egress: denied, ingress: none},
		{name: "IPv4 network does not match IPv6 flow", src: "b/client", dst: "a/web", port: 80, v6: true,
			policies: deny(testobj.ToNetworks("0.0.0.0/0")),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "any of several networks", src: "b/client", dst: "ip:2001:db8::1", port: 80, v6: true,
			policies: deny(testobj.ToNetworks("10.0.0.0/8", "2001:db8::/32")),
			allowed:  false, egress: denied, ingress: ""},
		{name: "any of several peers", src: "b/client", dst: "ip:8.8.8.8", port: 80,
			policies: []any{testobj.ANP("p", 1, clientSubject,
				testobj.ANPEgressRule("r", anpv1alpha1.AdminNetworkPolicyRuleActionDeny, nil, testobj.ToNamespaces(testobj.Sel()),
					testobj.ToNetworks("8.0.0.0/8")))},
			allowed: false, egress: denied, ingress: ""},
	})
}

func TestAdminIngressPeers(t *testing.T) {
	deny := func(peer anpv1alpha1.AdminNetworkPolicyIngressPeer) []any {
		return []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel("team", "a")),
			testobj.ANPIngressRule("r", anpv1alpha1.AdminNetworkPolicyRuleActionDeny, nil, peer))}
	}
	runFlowCases(t, []flowCase{
		{name: "namespaces peer matches source pod", src: "b/client", dst: "a/web", port: 80,
			policies: deny(testobj.FromNamespaces(testobj.Sel("env", "dev"))),
			allowed:  false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "namespaces peer misses source pod", src: "c/x", dst: "a/web", port: 80,
			policies: deny(testobj.FromNamespaces(testobj.Sel("env", "dev"))),
			allowed:  true, egress: none, ingress: "1:NoMatch, " + none},
		{name: "pods peer matches", src: "b/client", dst: "a/web", port: 80,
			policies: deny(testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel("app", "client"))),
			allowed:  false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "pods peer from the subject's own namespace", src: "a/db", dst: "a/web", port: 80,
			policies: deny(testobj.FromPods(testobj.Sel("team", "a"), testobj.Sel("app", "db"))),
			allowed:  false, egress: "0:Default", ingress: "1:Deny " + anpP0},
		{name: "pods peer does not match a node source", src: "node:n1", dst: "a/web", port: 80,
			policies: deny(testobj.FromPods(testobj.Sel(), testobj.Sel())),
			allowed:  true, egress: "", ingress: "1:NoMatch, " + none},
		{name: "namespaces peer does not match an outside source", src: "ip:8.8.8.8", dst: "a/web", port: 80,
			policies: deny(testobj.FromNamespaces(testobj.Sel())),
			allowed:  true, egress: "", ingress: "1:NoMatch, " + none},
	})
}

func TestBaseline(t *testing.T) {
	allNs := testobj.BANPToNamespaces(testobj.Sel())
	denyOut := testobj.BANPEgressRule("r", banpDeny, nil, allNs)
	notDefault := func(p *anpv1alpha1.BaselineAdminNetworkPolicy) { p.Name = "other" }
	runFlowCases(t, []flowCase{
		{name: "BANP deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(clientSubject, denyOut)},
			allowed:  false, egress: "3:Deny " + banpDefault + "#0", ingress: none},
		{name: "BANP allow", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(clientSubject, testobj.BANPEgressRule("a", banpAllow, nil, allNs),
				testobj.BANPEgressRule("d", banpDeny, nil, allNs))},
			allowed: true, egress: "3:Allow " + banpDefault + "#0", ingress: none},
		{name: "BANP later rule", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(clientSubject,
				testobj.BANPEgressRule("a", banpAllow, nil, testobj.BANPToNamespaces(testobj.Sel("team", "c"))),
				testobj.BANPEgressRule("n", banpDeny, nil,
					anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Networks: []anpv1alpha1.CIDR{"10.0.0.0/24"}}))},
			allowed: false, egress: "3:Deny " + banpDefault + "#1", ingress: none},
		{name: "BANP nodes peer", src: "b/client", dst: "node:n2", port: 80,
			policies: []any{testobj.BANP(clientSubject,
				testobj.BANPEgressRule("n", banpDeny, nil,
					anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Nodes: testobj.Sel("role", "control")}))},
			allowed: false, egress: "3:Deny " + banpDefault + "#0", ingress: ""},
		{name: "BANP ingress deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(testobj.SubjectNamespaces(testobj.Sel("team", "a")),
				testobj.BANPIngressRule("r", banpDeny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel())))},
			allowed: false, egress: none, ingress: "3:Deny " + banpDefault + "#0"},
		{name: "BANP not named default is ignored", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(clientSubject, denyOut, notDefault)},
			allowed:  true, egress: none, ingress: none},
		{name: "BANP not selecting the subject", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(testobj.SubjectNamespaces(testobj.Sel("team", "a")), denyOut)},
			allowed:  true, egress: none, ingress: none},
		{name: "NetworkPolicy allow overrides BANP deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(clientSubject, denyOut),
				testobj.NetworkPolicy("b", "np", testobj.Sel(), testobj.NPEgress())},
			allowed: true, egress: "2:Allow NetworkPolicy/b/np#0", ingress: none},
		{name: "NetworkPolicy isolation overrides BANP allow", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(clientSubject, testobj.BANPEgressRule("a", banpAllow, nil, allNs)),
				denyAllEgressOfClient},
			allowed: false, egress: isolatedB, ingress: none},
		{name: "ANP no match falls to BANP", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.BANP(clientSubject, denyOut),
				testobj.ANP("p", 1, clientSubject,
					testobj.ANPEgressRule("r", allow, nil, testobj.ToNamespaces(testobj.Sel("team", "c"))))},
			allowed: false, egress: "1:NoMatch, 3:Deny " + banpDefault + "#0", ingress: none},
	})
}
