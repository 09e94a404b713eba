package model

import (
	"testing"

	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// cnpEgress makes a CNP whose subject is b/client with one egress rule.
func cnpEgress(name string, tier cnpv1beta1.Tier, prio int32, action cnpv1beta1.ClusterNetworkPolicyRuleAction,
	protos []cnpv1beta1.ClusterNetworkPolicyProtocol,
	to ...cnpv1beta1.ClusterNetworkPolicyEgressPeer) *cnpv1beta1.ClusterNetworkPolicy {
	subject := testobj.CNPSubjectPods(testobj.Sel("team", "b"), testobj.Sel("app", "client"))
	return testobj.CNP(name, tier, prio, subject, testobj.CNPEgressRule("r", action, protos, to...))
}

func cnpUDP(n int32) []cnpv1beta1.ClusterNetworkPolicyProtocol {
	return []cnpv1beta1.ClusterNetworkPolicyProtocol{{UDP: &cnpv1beta1.ClusterNetworkPolicyProtocolUDP{
		DestinationPort: &cnpv1beta1.Port{Number: n}}}}
}

func TestClusterNetworkPolicy(t *testing.T) {
	denyAllBANP := testobj.BANP(testobj.SubjectNamespaces(testobj.Sel()),
		testobj.BANPEgressRule("b", banpDeny, nil, testobj.BANPToNamespaces(testobj.Sel())))
	domains := cnpv1beta1.ClusterNetworkPolicyEgressPeer{DomainNames: []cnpv1beta1.DomainName{"example.com"}}
	named := []cnpv1beta1.ClusterNetworkPolicyProtocol{{DestinationNamedPort: "dns"}}
	runFlowCases(t, []flowCase{
		{name: "admin accept beats NetworkPolicy isolation", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient,
				cnpEgress("c", "Admin", 1000, "Accept", nil, testobj.CNPToNamespaces(testobj.Sel()))},
			allowed: true, egress: "1:Allow ClusterNetworkPolicy/c#0", ingress: none},
		{name: "baseline pass skips later baseline policies: default allows", src: "b/client", dst: "a/web", port: 80,
			policies: []any{cnpEgress("later", "Baseline", 9, "Deny", nil, testobj.CNPToNamespaces(testobj.Sel())),
				cnpEgress("pass", "Baseline", 0, "Pass", nil, testobj.CNPToNamespaces(testobj.Sel()))},
			allowed: true, egress: "3:Pass ClusterNetworkPolicy/pass#0, " + none, ingress: none},
		{name: "the BANP, priority 0, comes before a baseline CNP of priority 1", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllBANP,
				cnpEgress("accept", "Baseline", 1, "Accept", nil, testobj.CNPToNamespaces(testobj.Sel()))},
			allowed: false, egress: "3:Deny " + banpDefault + "#0", ingress: none},
		{name: "several baseline CNPs by priority", src: "b/client", dst: "a/web", port: 80,
			policies: []any{cnpEgress("b7", "Baseline", 7, "Deny", nil, testobj.CNPToNamespaces(testobj.Sel())),
				cnpEgress("b3", "Baseline", 3, "Accept", nil, testobj.CNPToNamespaces(testobj.Sel()))},
			allowed: true, egress: "3:Allow ClusterNetworkPolicy/b3#0", ingress: none},
		{name: "NetworkPolicy overrides baseline", src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient,
				cnpEgress("b", "Baseline", 3, "Accept", nil, testobj.CNPToNamespaces(testobj.Sel()))},
			allowed: false, egress: isolatedB, ingress: none},
		{name: "equal priority: the ANP before the CNP", src: "b/client", dst: "a/web", port: 80,
			policies: []any{cnpEgress("a", "Admin", 4, "Deny", nil, testobj.CNPToNamespaces(testobj.Sel())),
				testobj.ANP("p", 4, clientSubject, testobj.ANPEgressRule("r", allow, nil, testobj.ToNamespaces(testobj.Sel())))},
			allowed: true, egress: "1:Allow " + anpP0, ingress: none},
		{name: "udp port matches udp only", src: "b/client", dst: "a/web", proto: "TCP", port: 53,
			policies: []any{cnpEgress("c", "Admin", 1, "Deny", cnpUDP(53), testobj.CNPToNamespaces(testobj.Sel()))},
			allowed:  true, egress: "1:NoMatch, " + none, ingress: none},
		{name: "named port resolves with its protocol", src: "b/client", dst: "a/web", proto: "UDP", port: 53,
			policies: []any{cnpEgress("c", "Admin", 1, "Deny", named, testobj.CNPToNamespaces(testobj.Sel()))},
			allowed:  false, egress: "1:Deny ClusterNetworkPolicy/c#0", ingress: none},
		{name: "accept: a domainNames peer matches nothing, the other peer still does",
			src: "b/client", dst: "a/web", port: 80,
			policies: []any{denyAllEgressOfClient,
				cnpEgress("c", "Admin", 1, "Accept", nil, domains, testobj.CNPToNamespaces(testobj.Sel("team", "a")))},
			allowed: true, egress: "1:Allow ClusterNetworkPolicy/c#0", ingress: none},
		{name: "deny with domainNames denies all", src: "b/client", dst: "c/x", port: 80,
			policies: []any{cnpEgress("c", "Admin", 1, "Deny", nil, domains, testobj.CNPToNamespaces(testobj.Sel("team", "a")))},
			allowed:  false, egress: "1:Deny ClusterNetworkPolicy/c#0", ingress: none},
		{name: "an unknown tier is not a policy", src: "b/client", dst: "a/web", port: 80,
			policies: []any{cnpEgress("c", "Developer", 1, "Deny", nil, testobj.CNPToNamespaces(testobj.Sel()))},
			allowed:  true, egress: none, ingress: none},
		{name: "networks peer in IPv6", src: "b/client", dst: "a/web", port: 80, v6: true,
			policies: []any{cnpEgress("c", "Admin", 1, "Deny", nil,
				cnpv1beta1.ClusterNetworkPolicyEgressPeer{Networks: []cnpv1beta1.CIDR{"fd00::/64"}})},
			allowed: false, egress: "1:Deny ClusterNetworkPolicy/c#0", ingress: none},
	})
}
