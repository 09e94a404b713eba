package model

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

const (
	none        = "0:Default"
	anpP0       = "AdminNetworkPolicy/p#0"
	isolatedB   = "2:Isolated"
	banpDefault = "BaselineAdminNetworkPolicy/default"
)

// clientSubject selects b/client (and b/done, which is finished and so never selected).
var clientSubject = podSubject(sel("team=b"), sel("app=client"))

// denyAllEgressOfClient isolates b/client for egress with no rules.
var denyAllEgressOfClient = netpol("b", "np", sel("app=client"), egressOnly, nil, nil)

func TestAdminActions(t *testing.T) {
	runFlowCases(t, []flowCase{
		{name: "no policy allows", src: "b/client", dst: "a/web", port: 80,
			allowed: true, egress: none, ingress: none},
		{name: "allow", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("p", 10, clientSubject, egressRule("r", allow, nil, toNamespaces(sel("team=a"))))},
			allowed:  true, egress: "1:Allow " + anpP0, ingress: none},
		{name: "deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("p", 10, clientSubject, egressRule("r", deny, nil, toNamespaces(sel("team=a"))))},
			allowed:  false, egress: "1:Deny " + anpP0, ingress: none},
		{name: "allow beats NetworkPolicy isolation", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient, egressANP("p", 10, clientSubject, egressRule("r", allow, nil, toNamespaces(sel())))},
			allowed:  true, egress: "1:Allow " + anpP0, ingress: none},
		{name: "deny beats NetworkPolicy allow", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				netpol("b", "np", sel(), egressOnly, nil, []networkingv1.NetworkPolicyEgressRule{{}}),
				egressANP("p", 10, clientSubject, egressRule("r", deny, nil, toNamespaces(sel())))},
			allowed: false, egress: "1:Deny " + anpP0, ingress: none},
		{name: "pass to isolating NetworkPolicy denies", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient, egressANP("p", 10, clientSubject, egressRule("r", pass, nil, toNamespaces(sel())))},
			allowed:  false, egress: "1:Pass " + anpP0 + ", " + isolatedB, ingress: none},
		{name: "pass to allowing NetworkPolicy", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				netpol("b", "np", sel(), egressOnly, nil, []networkingv1.NetworkPolicyEgressRule{{To: []networkingv1.NetworkPolicyPeer{npPeer(nil, sel("team=a"))}}}),
				egressANP("p", 10, clientSubject, egressRule("r", pass, nil, toNamespaces(sel())))},
			allowed: true, egress: "1:Pass " + anpP0 + ", 2:Allow NetworkPolicy/b/np#0", ingress: none},
		{name: "pass to BANP deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				banp("default", nsSubject(sel()), nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{banpEgress("b", banpDeny, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: sel()})}),
				egressANP("p", 10, clientSubject, egressRule("r", pass, nil, toNamespaces(sel())))},
			allowed: false, egress: "1:Pass " + anpP0 + ", 3:Deny " + banpDefault + "#0", ingress: none},
		{name: "pass to BANP that does not match", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				banp("default", nsSubject(sel()), nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{banpEgress("b", banpDeny, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: sel("team=c")})}),
				egressANP("p", 10, clientSubject, egressRule("r", pass, nil, toNamespaces(sel())))},
			allowed: true, egress: "1:Pass " + anpP0 + ", 3:NoMatch, " + none, ingress: none},
		{name: "pass skips lower-precedence ANPs", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				egressANP("p", 10, clientSubject, egressRule("r", pass, nil, toNamespaces(sel()))),
				egressANP("q", 11, clientSubject, egressRule("r", deny, nil, toNamespaces(sel())))},
			allowed: true, egress: "1:Pass " + anpP0 + ", " + none, ingress: none},
		{name: "no rule matches", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("p", 10, clientSubject, egressRule("r", deny, nil, toNamespaces(sel("team=c"))))},
			allowed:  true, egress: "1:NoMatch, " + none, ingress: none},
		{name: "ANP with only ingress rules leaves egress alone", src: "b/client", dst: "a/web", port: 80,
			policies: []any{ingressANP("p", 10, clientSubject, ingressRule("r", deny, nil, fromNamespaces(sel())))},
			allowed:  true, egress: none, ingress: none},
		{name: "later rule matches when the first does not", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("p", 10, clientSubject,
				egressRule("db", allow, nil, toPods(sel(), sel("app=db"))),
				egressRule("all", deny, nil, toNamespaces(sel())))},
			allowed: false, egress: "1:Deny AdminNetworkPolicy/p#1", ingress: none},
		{name: "first matching rule wins", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("p", 10, clientSubject,
				egressRule("web", allow, nil, toPods(sel(), sel("app=web"))),
				egressRule("all", deny, nil, toNamespaces(sel())))},
			allowed: true, egress: "1:Allow " + anpP0, ingress: none},
	})
}

func TestAdminPrecedence(t *testing.T) {
	allowAll := egressRule("r", allow, nil, toNamespaces(sel()))
	denyAll := egressRule("r", deny, nil, toNamespaces(sel()))
	runFlowCases(t, []flowCase{
		{name: "lower priority value first", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("a", 20, clientSubject, allowAll), egressANP("z", 10, clientSubject, denyAll)},
			allowed:  false, egress: "1:Deny AdminNetworkPolicy/z#0", ingress: none},
		{name: "priority 0 is valid and first", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("a", 1000, clientSubject, denyAll), egressANP("z", 0, clientSubject, allowAll)},
			allowed:  true, egress: "1:Allow AdminNetworkPolicy/z#0", ingress: none},
		{name: "equal priority broken by name, deny named first", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("beta", 10, clientSubject, allowAll), egressANP("alpha", 10, clientSubject, denyAll)},
			allowed:  false, egress: "1:Deny AdminNetworkPolicy/alpha#0", ingress: none},
		{name: "equal priority broken by name, allow named first", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("beta", 10, clientSubject, denyAll), egressANP("alpha", 10, clientSubject, allowAll)},
			allowed:  true, egress: "1:Allow AdminNetworkPolicy/alpha#0", ingress: none},
		{name: "ANP not selecting the subject is skipped", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("a", 1, nsSubject(sel("team=a")), denyAll), egressANP("b", 2, clientSubject, allowAll)},
			allowed:  true, egress: "1:Allow AdminNetworkPolicy/b#0", ingress: none},
		{name: "priority above 1000 is rejected", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("p", 1001, clientSubject, denyAll)},
			allowed:  true, egress: none, ingress: none},
		{name: "negative priority is rejected", src: "b/client", dst: "a/web", port: 80,
			policies: []any{egressANP("p", -1, clientSubject, denyAll)},
			allowed:  true, egress: none, ingress: none},
	})
}

func TestAdminSubjects(t *testing.T) {
	denyAllIn := ingressRule("r", deny, nil, fromNamespaces(sel()))
	denyAllOut := egressRule("r", deny, nil, toNamespaces(sel()))
	runFlowCases(t, []flowCase{
		{name: "namespaces subject selects every pod of the namespace", src: "b/client", dst: "a/db", port: 80,
			policies: []any{ingressANP("p", 1, nsSubject(sel("team=a")), denyAllIn)},
			allowed:  false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "namespaces subject skips other namespaces", src: "a/db", dst: "b/client", port: 80,
			policies: []any{ingressANP("p", 1, nsSubject(sel("team=a")), denyAllIn)},
			allowed:  true, egress: none, ingress: none},
		{name: "pods subject needs namespace and pod labels", src: "b/client", dst: "a/web", port: 80,
			policies: []any{ingressANP("p", 1, podSubject(sel("team=a"), sel("app=web")), denyAllIn)},
			allowed:  false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "pods subject: pod labels in another namespace do not count", src: "b/client", dst: "c/x", port: 80,
			policies: []any{ingressANP("p", 1, podSubject(sel("team=a"), sel("app=web")), denyAllIn)},
			allowed:  true, egress: none, ingress: none},
		{name: "pods subject: other pod of the namespace not selected", src: "b/client", dst: "a/db", port: 80,
			policies: []any{ingressANP("p", 1, podSubject(sel("team=a"), sel("app=web")), denyAllIn)},
			allowed:  true, egress: none, ingress: none},
		{name: "empty namespaces subject selects all", src: "b/client", dst: "c/x", port: 80,
			policies: []any{ingressANP("p", 1, nsSubject(sel()), denyAllIn)},
			allowed:  false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "finished pod is never a subject", src: "b/done", dst: "a/web", port: 80,
			policies: []any{egressANP("p", 1, nsSubject(sel()), denyAllOut)},
			allowed:  true, egress: none, ingress: none},
		{name: "host-network source is not judged", src: "b/host", dst: "a/web", port: 80,
			policies: []any{egressANP("p", 1, nsSubject(sel()), denyAllOut)},
			allowed:  true, egress: "", ingress: none},
		{name: "host-network source is not a pod peer", src: "b/host", dst: "a/web", port: 80,
			policies: []any{ingressANP("p", 1, nsSubject(sel()), denyAllIn)},
			allowed:  true, egress: "", ingress: "1:NoMatch, " + none},
		{name: "host-network destination is not judged nor a pod peer", src: "b/client", dst: "b/host", port: 80,
			policies: []any{egressANP("p", 1, nsSubject(sel()), denyAllOut)},
			allowed:  true, egress: "1:NoMatch, " + none, ingress: ""},
		{name: "finished pod is not a pod peer", src: "a/web", dst: "b/done", port: 80,
			policies: []any{egressANP("p", 1, nsSubject(sel()), egressRule("r", deny, nil, toPods(sel(), sel("app=client"))))},
			allowed:  true, egress: "1:NoMatch, " + none, ingress: none},
		{name: "both sides judged: egress allows, ingress denies", src: "b/client", dst: "a/web", port: 80,
			policies: []any{
				egressANP("out", 1, clientSubject, egressRule("r", allow, nil, toNamespaces(sel()))),
				ingressANP("in", 2, nsSubject(sel("team=a")), ingressRule("r", deny, nil, fromPods(sel("team=b"), sel())))},
			allowed: false, egress: "1:Allow AdminNetworkPolicy/out#0", ingress: "1:Deny AdminNetworkPolicy/in#0"},
	})
}

func TestAdminEgressPeers(t *testing.T) {
	deny := func(peer anpv1alpha1.AdminNetworkPolicyEgressPeer) []any {
		return []any{egressANP("p", 1, clientSubject, egressRule("r", anpv1alpha1.AdminNetworkPolicyRuleActionDeny, nil, peer))}
	}
	denied := "1:Deny " + anpP0
	noMatch := "1:NoMatch, " + none
	runFlowCases(t, []flowCase{
		{name: "pods peer matches", src: "b/client", dst: "a/web", port: 80, policies: deny(toPods(sel("team=a"), sel("app=web"))),
			allowed: false, egress: denied, ingress: none},
		{name: "pods peer in other namespace", src: "b/client", dst: "c/x", port: 80, policies: deny(toPods(sel("team=a"), sel("app=web"))),
			allowed: true, egress: noMatch, ingress: none},
		{name: "pods peer does not match nodes", src: "b/client", dst: "node:n1", port: 80, policies: deny(toPods(sel(), sel())),
			allowed: true, egress: noMatch, ingress: ""},
		{name: "namespaces peer does not match outside IPs", src: "b/client", dst: "ip:8.8.8.8", port: 80, policies: deny(toNamespaces(sel())),
			allowed: true, egress: noMatch, ingress: ""},
		{name: "nodes peer matches node IP", src: "b/client", dst: "node:n1", port: 80, policies: deny(toNodes(sel("role=worker"))),
			allowed: false, egress: denied, ingress: ""},
		{name: "nodes peer matches node IPv6", src: "b/client", dst: "node:n1", port: 80, v6: true, policies: deny(toNodes(sel("role=worker"))),
			allowed: false, egress: denied, ingress: ""},
		{name: "nodes peer skips unselected node", src: "b/client", dst: "node:n2", port: 80, policies: deny(toNodes(sel("role=worker"))),
			allowed: true, egress: noMatch, ingress: ""},
		{name: "empty nodes peer selects all nodes", src: "b/client", dst: "node:n2", port: 80, policies: deny(toNodes(sel())),
			allowed: false, egress: denied, ingress: ""},
		{name: "nodes peer matches host-network pod by node IP", src: "b/client", dst: "b/host", port: 80, policies: deny(toNodes(sel("role=worker"))),
			allowed: false, egress: denied, ingress: ""},
		{name: "nodes peer does not match pods", src: "b/client", dst: "a/web", port: 80, policies: deny(toNodes(sel())),
			allowed: true, egress: noMatch, ingress: none},
		{name: "networks peer matches outside IP", src: "b/client", dst: "ip:8.8.8.8", port: 53, policies: deny(toNetworks("8.8.0.0/16")),
			allowed: false, egress: denied, ingress: ""},
		{name: "networks peer misses outside IP", src: "b/client", dst: "ip:9.9.9.9", port: 53, policies: deny(toNetworks("8.8.0.0/16")),
			allowed: true, egress: noMatch, ingress: ""},
		{name: "networks peer matches pod IPs", src: "b/client", dst: "a/web", port: 80, policies: deny(toNetworks("10.0.0.1/32")),
			allowed: false, egress: denied, ingress: none},
		{name: "networks peer matches node IPs", src: "b/client", dst: "node:n2", port: 80, policies: deny(toNetworks("172.18.0.0/16")),
			allowed: false, egress: denied, ingress: ""},
		{name: "networks peer IPv6", src: "b/client", dst: "a/web", port: 80, v6: true, policies: deny(toNetworks("fd00::/64")),
			allowed: false, egress: denied, ingress: none},
		{name: "IPv4 network does not match IPv6 flow", src: "b/client", dst: "a/web", port: 80, v6: true, policies: deny(toNetworks("0.0.0.0/0")),
			allowed: true, egress: noMatch, ingress: none},
		{name: "any of several networks", src: "b/client", dst: "ip:2001:db8::1", port: 80, v6: true, policies: deny(toNetworks("10.0.0.0/8", "2001:db8::/32")),
			allowed: false, egress: denied, ingress: ""},
		{name: "any of several peers", src: "b/client", dst: "ip:8.8.8.8", port: 80, policies: []any{egressANP("p", 1, clientSubject,
			egressRule("r", anpv1alpha1.AdminNetworkPolicyRuleActionDeny, nil, toNamespaces(sel()), toNetworks("8.0.0.0/8")))},
			allowed: false, egress: denied, ingress: ""},
	})
}

func TestAdminIngressPeers(t *testing.T) {
	deny := func(peer anpv1alpha1.AdminNetworkPolicyIngressPeer) []any {
		return []any{ingressANP("p", 1, nsSubject(sel("team=a")), ingressRule("r", anpv1alpha1.AdminNetworkPolicyRuleActionDeny, nil, peer))}
	}
	runFlowCases(t, []flowCase{
		{name: "namespaces peer matches source pod", src: "b/client", dst: "a/web", port: 80, policies: deny(fromNamespaces(sel("env=dev"))),
			allowed: false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "namespaces peer misses source pod", src: "c/x", dst: "a/web", port: 80, policies: deny(fromNamespaces(sel("env=dev"))),
			allowed: true, egress: none, ingress: "1:NoMatch, " + none},
		{name: "pods peer matches", src: "b/client", dst: "a/web", port: 80, policies: deny(fromPods(sel("team=b"), sel("app=client"))),
			allowed: false, egress: none, ingress: "1:Deny " + anpP0},
		{name: "pods peer from the subject's own namespace", src: "a/db", dst: "a/web", port: 80, policies: deny(fromPods(sel("team=a"), sel("app=db"))),
			allowed: false, egress: "0:Default", ingress: "1:Deny " + anpP0},
		{name: "pods peer does not match a node source", src: "node:n1", dst: "a/web", port: 80, policies: deny(fromPods(sel(), sel())),
			allowed: true, egress: "", ingress: "1:NoMatch, " + none},
		{name: "namespaces peer does not match an outside source", src: "ip:8.8.8.8", dst: "a/web", port: 80, policies: deny(fromNamespaces(sel())),
			allowed: true, egress: "", ingress: "1:NoMatch, " + none},
	})
}

func TestBaseline(t *testing.T) {
	allNs := anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: sel()}
	denyOut := []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{banpEgress("r", banpDeny, nil, allNs)}
	runFlowCases(t, []flowCase{
		{name: "BANP deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("default", clientSubject, nil, denyOut)},
			allowed:  false, egress: "3:Deny " + banpDefault + "#0", ingress: none},
		{name: "BANP allow", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("default", clientSubject, nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{
				banpEgress("a", banpAllow, nil, allNs), banpEgress("d", banpDeny, nil, allNs)})},
			allowed: true, egress: "3:Allow " + banpDefault + "#0", ingress: none},
		{name: "BANP later rule", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("default", clientSubject, nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{
				banpEgress("a", banpAllow, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: sel("team=c")}),
				banpEgress("n", banpDeny, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Networks: []anpv1alpha1.CIDR{"10.0.0.0/24"}})})},
			allowed: false, egress: "3:Deny " + banpDefault + "#1", ingress: none},
		{name: "BANP nodes peer", src: "b/client", dst: "node:n2", port: 80,
			policies: []any{banp("default", clientSubject, nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{
				banpEgress("n", banpDeny, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Nodes: sel("role=control")})})},
			allowed: false, egress: "3:Deny " + banpDefault + "#0", ingress: ""},
		{name: "BANP ingress deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("default", nsSubject(sel("team=a")), []anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{
				banpIngress("r", banpDeny, nil, fromPods(sel("team=b"), sel()))}, nil)},
			allowed: false, egress: none, ingress: "3:Deny " + banpDefault + "#0"},
		{name: "BANP not named default is ignored", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("other", clientSubject, nil, denyOut)},
			allowed:  true, egress: none, ingress: none},
		{name: "BANP not selecting the subject", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("default", nsSubject(sel("team=a")), nil, denyOut)},
			allowed:  true, egress: none, ingress: none},
		{name: "NetworkPolicy allow overrides BANP deny", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("default", clientSubject, nil, denyOut),
				netpol("b", "np", sel(), egressOnly, nil, []networkingv1.NetworkPolicyEgressRule{{}})},
			allowed: true, egress: "2:Allow NetworkPolicy/b/np#0", ingress: none},
		{name: "NetworkPolicy isolation overrides BANP allow", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("default", clientSubject, nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{banpEgress("a", banpAllow, nil, allNs)}),
				denyAllEgressOfClient},
			allowed: false, egress: isolatedB, ingress: none},
		{name: "ANP no match falls to BANP", src: "b/client", dst: "a/web", port: 80,
			policies: []any{banp("default", clientSubject, nil, denyOut),
				egressANP("p", 1, clientSubject, egressRule("r", allow, nil, toNamespaces(sel("team=c"))))},
			allowed: false, egress: "1:NoMatch, 3:Deny " + banpDefault + "#0", ingress: none},
	})
}
