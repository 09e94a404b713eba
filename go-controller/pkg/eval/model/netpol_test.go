package model

import (
	"testing"

	networkingv1 "k8s.io/api/networking/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

func TestNetworkPolicyIsolation(t *testing.T) {
	allowAllIn, allowAllOut := testobj.NPIngress(), testobj.NPEgress()
	runFlowCases(t, []flowCase{
		{name: "ingress policy with no rules denies ingress", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeIngress))},
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "ingress isolation leaves egress alone", src: "a/web", dst: "b/client", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeIngress))},
			allowed:  true, egress: none, ingress: none},
		{name: "egress policy with no rules denies egress", src: "a/web", dst: "b/client", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeEgress))},
			allowed:  false, egress: isolatedB, ingress: none},
		{name: "egress isolation leaves ingress alone", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeEgress))},
			allowed:  true, egress: none, ingress: none},
		{name: "no policyTypes and no egress rules: ingress only", src: "a/web", dst: "a/db", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel())},
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "no policyTypes with egress rules isolates egress too", src: "a/web", dst: "ip:8.8.8.8", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel(), testobj.NPEgress(testobj.IPBlock("10.0.0.0/8")),
				testobj.NoPolicyTypes())},
			allowed: false, egress: isolatedB, ingress: ""},
		{name: "both types, allow-all egress, no ingress rules", src: "a/web", dst: "a/db", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeIngress),
				allowAllOut)},
			allowed: false, egress: "2:Allow NetworkPolicy/a/np#0", ingress: isolatedB},
		{name: "empty rule allows all", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel(), allowAllIn)},
			allowed:  true, egress: none, ingress: "2:Allow NetworkPolicy/a/np#0"},
		{name: "policy of another namespace does not select", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("b", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeIngress))},
			allowed:  true, egress: none, ingress: none},
		{name: "podSelector restricts the subject", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "np", testobj.Sel("app", "db"),
				testobj.Isolate(networkingv1.PolicyTypeIngress))},
			allowed: true, egress: none, ingress: none},
		{name: "any isolating policy's rule allows (union)", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "deny", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeIngress)),
				testobj.NetworkPolicy("a", "open", testobj.Sel("app", "web"), allowAllIn)},
			allowed: true, egress: none, ingress: "2:Allow NetworkPolicy/a/open#0"},
		{name: "isolated by several", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("a", "one", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeIngress)),
				testobj.NetworkPolicy("a", "two", testobj.Sel("app", "web"),
					testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "none"))))},
			allowed: false, egress: none, ingress: isolatedB},
		{name: "host-network pod is not isolated", src: "b/host", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("b", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeEgress))},
			allowed:  true, egress: "", ingress: none},
		{name: "finished pod is not isolated", src: "b/done", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("b", "np", testobj.Sel(), testobj.Isolate(networkingv1.PolicyTypeEgress))},
			allowed:  true, egress: none, ingress: none},
	})
}

func TestNetworkPolicyPeers(t *testing.T) {
	// from builds an ingress policy on a/web allowing from the given peers.
	from := func(peers ...networkingv1.NetworkPolicyPeer) []any {
		return []any{testobj.NetworkPolicy("a", "np", testobj.Sel("app", "web"), testobj.NPIngress(peers...))}
	}
	to := func(peers ...networkingv1.NetworkPolicyPeer) []any {
		return []any{testobj.NetworkPolicy("b", "np", testobj.Sel("app", "client"), testobj.NPEgress(peers...))}
	}
	allowedIn := "2:Allow NetworkPolicy/a/np#0"
	allowedOut := "2:Allow NetworkPolicy/b/np#0"
	runFlowCases(t, []flowCase{
		{name: "podSelector only: same namespace", src: "a/db", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(nil, testobj.Sel("app", "db"))),
			allowed:  true, egress: none, ingress: allowedIn},
		{name: "podSelector only: other namespace with matching labels", src: "c/x", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(nil, testobj.Sel("app", "web"))),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "namespaceSelector only: any pod of matching namespaces", src: "b/client", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(testobj.Sel("team", "b"), nil)),
			allowed:  true, egress: none, ingress: allowedIn},
		{name: "namespaceSelector only: unmatched namespace", src: "c/x", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(testobj.Sel("team", "b"), nil)),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "empty namespaceSelector: all namespaces", src: "c/x", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(testobj.Sel(), nil)),
			allowed:  true, egress: none, ingress: allowedIn},
		{name: "both selectors: AND, matching", src: "b/client", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(testobj.Sel("team", "b"), testobj.Sel("app", "client"))),
			allowed:  true, egress: none, ingress: allowedIn},
		{name: "both selectors: AND, pod label fails", src: "b/client", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(testobj.Sel("team", "b"), testobj.Sel("app", "web"))),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "both selectors: AND, namespace fails", src: "c/x", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(testobj.Sel("team", "b"), testobj.Sel("app", "web"))),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "selectors do not match a node source", src: "node:n1", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(testobj.Sel(), nil)),
			allowed:  false, egress: "", ingress: isolatedB},
		{name: "selectors do not match a host-network pod", src: "b/host", dst: "a/web", port: 80,
			policies: from(testobj.NPPeer(testobj.Sel(), nil)),
			allowed:  false, egress: "", ingress: isolatedB},
		{name: "ipBlock matches a node source", src: "node:n1", dst: "a/web", port: 80,
			policies: from(testobj.IPBlock("172.18.0.0/16")),
			allowed:  true, egress: "", ingress: allowedIn},
		{name: "ipBlock matches a pod by IP", src: "b/client", dst: "a/web", port: 80,
			policies: from(testobj.IPBlock("10.0.0.3/32")),
			allowed:  true, egress: none, ingress: allowedIn},
		{name: "ipBlock except excludes", src: "b/client", dst: "a/web", port: 80,
			policies: from(testobj.IPBlock("10.0.0.0/24", "10.0.0.0/30")),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "ipBlock except elsewhere", src: "c/x", dst: "a/web", port: 80,
			policies: from(testobj.IPBlock("10.0.0.0/24", "10.0.0.0/30")),
			allowed:  true, egress: none, ingress: allowedIn},
		{name: "ipBlock IPv6", src: "c/x", dst: "a/web", port: 80, v6: true,
			policies: from(testobj.IPBlock("fd00::/64", "fd00::3/128")),
			allowed:  true, egress: none, ingress: allowedIn},
		{name: "ipBlock IPv6 except", src: "b/client", dst: "a/web", port: 80, v6: true,
			policies: from(testobj.IPBlock("fd00::/64", "fd00::3/128")),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "egress ipBlock to outside", src: "b/client", dst: "ip:8.8.8.8", port: 53,
			policies: to(testobj.IPBlock("0.0.0.0/0", "10.0.0.0/8")),
			allowed:  true, egress: allowedOut, ingress: ""},
		{name: "egress ipBlock except covers pods", src: "b/client", dst: "a/web", port: 80,
			policies: to(testobj.IPBlock("0.0.0.0/0", "10.0.0.0/8")),
			allowed:  false, egress: isolatedB, ingress: none},
		{name: "egress namespaceSelector", src: "b/client", dst: "a/web", port: 80,
			policies: to(testobj.NPPeer(testobj.Sel("env", "prod"), nil)),
			allowed:  true, egress: allowedOut, ingress: none},
		{name: "egress podSelector is the policy's namespace", src: "b/client", dst: "a/web", port: 80,
			policies: to(testobj.NPPeer(nil, testobj.Sel("app", "web"))),
			allowed:  false, egress: isolatedB, ingress: none},
		{name: "any of several peers", src: "b/client", dst: "ip:1.1.1.1", port: 80,
			policies: to(testobj.NPPeer(testobj.Sel(), nil), testobj.IPBlock("1.1.1.0/24")),
			allowed:  true, egress: allowedOut, ingress: ""},
		{name: "second rule allows", src: "b/client", dst: "ip:1.1.1.1", port: 80,
			policies: []any{testobj.NetworkPolicy("b", "np", testobj.Sel(), testobj.NPEgress(testobj.NPPeer(testobj.Sel(), nil)),
				testobj.NPEgress(testobj.IPBlock("1.1.1.1/32")))},
			allowed: true, egress: "2:Allow NetworkPolicy/b/np#1", ingress: ""},
	})
}
