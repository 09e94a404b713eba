package model

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// cnpEgress makes a CNP whose subject is b/client with one egress rule.
func cnpEgress(name string, tier cnpv1beta1.Tier, prio int32, action string, protos []cnpv1beta1.ClusterNetworkPolicyProtocol,
	to ...cnpv1beta1.ClusterNetworkPolicyEgressPeer) *cnpv1beta1.ClusterNetworkPolicy {
	return &cnpv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: cnpv1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: prio,
			Subject: cnpv1beta1.ClusterNetworkPolicySubject{Pods: &cnpv1beta1.NamespacedPod{
				NamespaceSelector: *sel("team=b"), PodSelector: *sel("app=client")}},
			Egress: []cnpv1beta1.ClusterNetworkPolicyEgressRule{{Name: "r",
				Action: cnpv1beta1.ClusterNetworkPolicyRuleAction(action), To: to, Protocols: protos}}}}
}

func cnpToNamespaces(ns *metav1.LabelSelector) cnpv1beta1.ClusterNetworkPolicyEgressPeer {
	return cnpv1beta1.ClusterNetworkPolicyEgressPeer{Namespaces: ns}
}

func cnpUDP(n int32) []cnpv1beta1.ClusterNetworkPolicyProtocol {
	return []cnpv1beta1.ClusterNetworkPolicyProtocol{{UDP: &cnpv1beta1.ClusterNetworkPolicyProtocolUDP{
		DestinationPort: &cnpv1beta1.Port{Number: n}}}}
}

func TestClusterNetworkPolicy(t *testing.T) {
	denyAllBANP := banp("default", nsSubject(sel()), nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{
		banpEgress("b", banpDeny, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Namespaces: sel()})})
	domains := cnpv1beta1.ClusterNetworkPolicyEgressPeer{DomainNames: []cnpv1beta1.DomainName{"example.com"}}
	named := []cnpv1beta1.ClusterNetworkPolicyProtocol{{DestinationNamedPort: "dns"}}
	runFlowCases(t, []flowCase{
		{name: "admin accept beats NetworkPolicy isolation", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient, cnpEgress("c", "Admin", 1000, "Accept", nil, cnpToNamespaces(sel()))},
			allowed:  true, egress: "1:Allow ClusterNetworkPolicy/c#0", ingress: none},
		{name: "baseline pass skips later baseline policies: default allows", src: "b/client", dst: "a/web", port: 80,
			policies: []any{cnpEgress("later", "Baseline", 9, "Deny", nil, cnpToNamespaces(sel())),
				cnpEgress("pass", "Baseline", 0, "Pass", nil, cnpToNamespaces(sel()))},
			allowed: true, egress: "3:Pass ClusterNetworkPolicy/pass#0, " + none, ingress: none},
		{name: "the BANP, priority 0, comes before a baseline CNP of priority 1", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllBANP, cnpEgress("accept", "Baseline", 1, "Accept", nil, cnpToNamespaces(sel()))},
			allowed:  false, egress: "3:Deny " + banpDefault + "#0", ingress: none},
		{name: "several baseline CNPs by priority", src: "b/client", dst: "a/web", port: 80,
			policies: []any{cnpEgress("b7", "Baseline", 7, "Deny", nil, cnpToNamespaces(sel())),
				cnpEgress("b3", "Baseline", 3, "Accept", nil, cnpToNamespaces(sel()))},
			allowed: true, egress: "3:Allow ClusterNetworkPolicy/b3#0", ingress: none},
		{name: "NetworkPolicy overrides baseline", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient, cnpEgress("b", "Baseline", 3, "Accept", nil, cnpToNamespaces(sel()))},
			allowed:  false, egress: isolatedB, ingress: none},
		{name: "equal priority: the ANP before the CNP", src: "b/client", dst: "a/web", port: 80,
			policies: []any{cnpEgress("a", "Admin", 4, "Deny", nil, cnpToNamespaces(sel())),
				egressANP("p", 4, clientSubject, egressRule("r", allow, nil, toNamespaces(sel())))},
			allowed: true, egress: "1:Allow " + anpP0, ingress: none},
		{name: "udp port matches udp only", src: "b/client", dst: "a/web", proto: "TCP", port: 53,
			policies: []any{cnpEgress("c", "Admin", 1, "Deny", cnpUDP(53), cnpToNamespaces(sel()))},
			allowed:  true, egress: "1:NoMatch, " + none, ingress: none},
		{name: "named port resolves with its protocol", src: "b/client", dst: "a/web", proto: "UDP", port: 53,
			policies: []any{cnpEgress("c", "Admin", 1, "Deny", named, cnpToNamespaces(sel()))},
			allowed:  false, egress: "1:Deny ClusterNetworkPolicy/c#0", ingress: none},
		{name: "accept: a domainNames peer matches nothing, the other peer still does", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient, cnpEgress("c", "Admin", 1, "Accept", nil, domains, cnpToNamespaces(sel("team=a")))},
			allowed:  true, egress: "1:Allow ClusterNetworkPolicy/c#0", ingress: none},
		{name: "deny with domainNames denies all", src: "b/client", dst: "c/x", port: 80,
			policies: []any{cnpEgress("c", "Admin", 1, "Deny", nil, domains, cnpToNamespaces(sel("team=a")))},
			allowed:  false, egress: "1:Deny ClusterNetworkPolicy/c#0", ingress: none},
		{name: "an unknown tier is not a policy", src: "b/client", dst: "a/web", port: 80,
			policies: []any{cnpEgress("c", "Developer", 1, "Deny", nil, cnpToNamespaces(sel()))},
			allowed:  true, egress: none, ingress: none},
		{name: "networks peer in IPv6", src: "b/client", dst: "a/web", port: 80, v6: true,
			policies: []any{cnpEgress("c", "Admin", 1, "Deny", nil, cnpv1beta1.ClusterNetworkPolicyEgressPeer{Networks: []cnpv1beta1.CIDR{"fd00::/64"}})},
			allowed:  false, egress: "1:Deny ClusterNetworkPolicy/c#0", ingress: none},
	})
}
