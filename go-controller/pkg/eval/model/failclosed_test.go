package model

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

var (
	emptyPeer     = anpv1alpha1.AdminNetworkPolicyEgressPeer{}
	domainPeer    = anpv1alpha1.AdminNetworkPolicyEgressPeer{DomainNames: []anpv1alpha1.DomainName{"example.com"}}
	twoFieldPeer  = anpv1alpha1.AdminNetworkPolicyEgressPeer{Namespaces: testobj.Sel(), Nodes: testobj.Sel()}
	badSelector   = testobj.Expr("env", metav1.LabelSelectorOpIn) // In needs values
	badSelectorOp = testobj.Expr("env", "Near")
	emptyPort     = anpv1alpha1.AdminNetworkPolicyPort{}
	twoFieldPort  = anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Port: 80},
		PortRange: &anpv1alpha1.PortRange{Start: 1, End: 2}}
	unknownProto  = testobj.ANPPortNumber("ICMP", 80)
	port0         = testobj.ANPPortNumber(tcp, 0)
	portTooBig    = testobj.ANPPortNumber(tcp, 70000)
	rangeReversed = testobj.ANPPortRange(tcp, 9000, 8000)
	rangeEmpty    = testobj.ANPPortRange(tcp, 8000, 8000)
	rangeTooBig   = testobj.ANPPortRange(tcp, 8000, 70000)
	rangeBadProto = testobj.ANPPortRange("ICMP", 1, 2)
	failedClosed  = "1:Deny " + anpP0
	anpNoMatch    = "1:NoMatch, " + none
)

// TestAdminFailClosed: a bad peer or port makes an Allow rule match no traffic (the API's words: "treat
// the rule as matching no traffic") and turns a Deny or Pass rule into "deny all", whatever the flow.
func TestAdminFailClosed(t *testing.T) {
	rule := func(action anpv1alpha1.AdminNetworkPolicyRuleAction, ps *[]anpv1alpha1.AdminNetworkPolicyPort,
		to ...anpv1alpha1.AdminNetworkPolicyEgressPeer) []any {
		return []any{testobj.ANP("p", 1, clientSubject, testobj.ANPEgressRule("r", action, ps, to...))}
	}
	web := testobj.ToPods(testobj.Sel(), testobj.Sel("app", "web"))
	var cases []flowCase
	badPeers := map[string]anpv1alpha1.AdminNetworkPolicyEgressPeer{
		"peer with no field":        emptyPeer,
		"domainNames peer":          domainPeer,
		"peer with two fields":      twoFieldPeer,
		"invalid CIDR":              testobj.ToNetworks("10.0.0.0/33"),
		"one invalid CIDR of two":   testobj.ToNetworks("0.0.0.0/0", "not-a-cidr"),
		"selector without values":   testobj.ToNamespaces(badSelector),
		"unknown selector operator": testobj.ToPods(testobj.Sel(), badSelectorOp),
		"invalid nodes selector":    testobj.ToNodes(badSelector),
		"empty networks list":       {Networks: []anpv1alpha1.CIDR{}},
	}
	for name, peer := range badPeers {
		cases = append(cases,
			flowCase{name: "deny with " + name + " denies all", src: "b/client", dst: "ip:192.0.2.1", port: 9,
				policies: rule(deny, testobj.ANPPorts(testobj.ANPPortNumber(tcp, 443)),
					testobj.ToNamespaces(testobj.Sel("team", "c")), peer),
				allowed: false, egress: failedClosed, ingress: ""},
			flowCase{name: "pass with " + name + " denies all", src: "b/client", dst: "a/web", port: 80,
				policies: rule(pass, nil, peer),
				allowed:  false, egress: failedClosed, ingress: none},
			flowCase{name: "allow with " + name + " matches nothing", src: "b/client", dst: "a/web", port: 80,
				policies: rule(allow, nil, peer),
				allowed:  true, egress: anpNoMatch, ingress: none},
			flowCase{name: "allow with " + name + " matches nothing, even through its good peers",
				src: "b/client", dst: "a/web", port: 80,
				policies: rule(allow, nil, peer, web),
				allowed:  true, egress: anpNoMatch, ingress: none},
		)
	}
	badPorts := map[string]anpv1alpha1.AdminNetworkPolicyPort{
		"port with no field":       emptyPort,
		"port with two fields":     twoFieldPort,
		"unknown protocol":         unknownProto,
		"port 0":                   port0,
		"port above 65535":         portTooBig,
		"range start after end":    rangeReversed,
		"range start equal to end": rangeEmpty,
		"range above 65535":        rangeTooBig,
		"range unknown protocol":   rangeBadProto,
		"empty port name":          testobj.ANPNamedPort(""),
	}
	for name, port := range badPorts {
		cases = append(cases,
			flowCase{name: "deny with " + name + " denies all, ports ignored",
				src: "b/client", dst: "a/web", proto: udp, port: 5,
				policies: rule(deny, testobj.ANPPorts(testobj.ANPPortNumber(tcp, 80), port), web),
				allowed:  false, egress: failedClosed, ingress: none},
			flowCase{name: "deny with " + name + " denies all, peers ignored", src: "b/client", dst: "ip:192.0.2.1", port: 80,
				policies: rule(deny, testobj.ANPPorts(port), web),
				allowed:  false, egress: failedClosed, ingress: ""},
			flowCase{name: "allow with " + name + " matches nothing, even on its good ports",
				src: "b/client", dst: "a/web", port: 80,
				policies: rule(allow, testobj.ANPPorts(port, testobj.ANPPortNumber(tcp, 80)), web),
				allowed:  true, egress: anpNoMatch, ingress: none},
			flowCase{name: "allow with only " + name + " matches nothing", src: "b/client", dst: "a/web", port: 80,
				policies: rule(allow, testobj.ANPPorts(port), web),
				allowed:  true, egress: anpNoMatch, ingress: none},
		)
	}
	cases = append(cases,
		flowCase{name: "unknown action denies all", src: "b/client", dst: "a/web", port: 80,
			policies: rule("Log", nil, testobj.ToNamespaces(testobj.Sel("team", "c"))),
			allowed:  false, egress: failedClosed, ingress: none},
		flowCase{name: "ingress deny with a peer with no field denies all", src: "node:n1", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()),
				testobj.ANPIngressRule("r", deny, nil, anpv1alpha1.AdminNetworkPolicyIngressPeer{}))},
			allowed: false, egress: "", ingress: failedClosed},
		flowCase{name: "ingress allow with a bad selector matches nothing", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel()),
				testobj.ANPIngressRule("r", allow, nil, testobj.FromNamespaces(badSelector)))},
			allowed: true, egress: none, ingress: anpNoMatch},
		flowCase{name: "fail-closed deny precedes later rules", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, clientSubject, testobj.ANPEgressRule("bad", deny, nil, domainPeer),
				testobj.ANPEgressRule("ok", allow, nil, web))},
			allowed: false, egress: failedClosed, ingress: none},
	)
	runFlowCases(t, cases)
}

func TestBaselineFailClosed(t *testing.T) {
	one := func(action anpv1alpha1.BaselineAdminNetworkPolicyRuleAction,
		peers ...anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer) []any {
		return []any{testobj.BANP(clientSubject, testobj.BANPEgressRule("r", action, nil, peers...))}
	}
	web := anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Pods: &anpv1alpha1.NamespacedPod{
		PodSelector: *testobj.Sel("app", "web")}}
	runFlowCases(t, []flowCase{
		{name: "deny with a peer with no field denies all", src: "b/client", dst: "ip:192.0.2.1", port: 80,
			policies: one(banpDeny, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{}),
			allowed:  false, egress: "3:Deny " + banpDefault + "#0", ingress: ""},
		{name: "allow with a peer with no field matches nothing", src: "b/client", dst: "a/web", port: 80,
			policies: one(banpAllow, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{}),
			allowed:  true, egress: "3:NoMatch, " + none, ingress: none},
		{name: "allow with one bad peer matches nothing, even through its good peer", src: "b/client", dst: "a/web", port: 80,
			policies: one(banpAllow, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Networks: []anpv1alpha1.CIDR{"x"}}, web),
			allowed:  true, egress: "3:NoMatch, " + none, ingress: none},
		{name: "Pass is not a BANP action: denies all", src: "b/client", dst: "a/web", port: 80,
			policies: one("Pass", testobj.BANPToNamespaces(testobj.Sel("team", "c"))),
			allowed:  false, egress: "3:Deny " + banpDefault + "#0", ingress: none},
		{name: "deny with a bad port denies all", src: "b/client", dst: "a/web", proto: udp, port: 1,
			policies: []any{testobj.BANP(clientSubject,
				testobj.BANPEgressRule("r", banpDeny, testobj.ANPPorts(rangeReversed),
					testobj.BANPToNamespaces(testobj.Sel("team", "c"))))},
			allowed: false, egress: "3:Deny " + banpDefault + "#0", ingress: none},
	})
}

// TestRejectedPolicies: policies the API server would refuse select nothing.
func TestRejectedPolicies(t *testing.T) {
	denyAll := testobj.ANPEgressRule("r", deny, nil, testobj.ToNamespaces(testobj.Sel()))
	bothFields := anpv1alpha1.AdminNetworkPolicySubject{Namespaces: testobj.Sel(), Pods: &anpv1alpha1.NamespacedPod{}}
	runFlowCases(t, []flowCase{
		{name: "ANP subject with no field", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, anpv1alpha1.AdminNetworkPolicySubject{}, denyAll)},
			allowed:  true, egress: none, ingress: none},
		{name: "ANP subject with both fields", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, bothFields, denyAll)},
			allowed:  true, egress: none, ingress: none},
		{name: "ANP subject with a bad selector", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(badSelector), denyAll)},
			allowed:  true, egress: none, ingress: none},
		{name: "ANP pods subject with a bad pod selector", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectPods(testobj.Sel(), badSelectorOp), denyAll)},
			allowed:  true, egress: none, ingress: none},
		{name: "NetworkPolicy with a bad podSelector", src: "b/client", dst: "a/web", port: 80,
			policies: []any{testobj.NetworkPolicy("b", "np", badSelector, testobj.Isolate(networkingv1.PolicyTypeEgress))},
			allowed:  true, egress: none, ingress: none},
	})
}

// TestNetworkPolicyBadParts: NetworkPolicy rules only allow, so a bad peer or port matches nothing.
func TestNetworkPolicyBadParts(t *testing.T) {
	in := func(rule testobj.NetworkPolicyFn) []any {
		return []any{testobj.NetworkPolicy("a", "np", testobj.Sel(), rule)}
	}
	peers := testobj.NPIngress
	portsOf := func(ps ...networkingv1.NetworkPolicyPort) testobj.NetworkPolicyFn { return testobj.NPIngressPorts(ps) }
	ipAndSelector := testobj.IPBlock("0.0.0.0/0")
	ipAndSelector.NamespaceSelector = testobj.Sel()
	icmp := corev1.Protocol("ICMP")
	unknown := networkingv1.NetworkPolicyPort{Protocol: &icmp}
	namedWithEnd := testobj.NPPort(tcp, intstr.FromString("http"))
	end := int32(9000)
	namedWithEnd.EndPort = &end
	endWithoutPort := networkingv1.NetworkPolicyPort{EndPort: &end}
	isolated, allowed := isolatedB, "2:Allow NetworkPolicy/a/np#0"
	runFlowCases(t, []flowCase{
		{name: "peer with no field", src: "b/client", dst: "a/web", port: 80,
			policies: in(peers(networkingv1.NetworkPolicyPeer{})),
			allowed:  false, egress: none, ingress: isolated},
		{name: "ipBlock with a selector", src: "b/client", dst: "a/web", port: 80, policies: in(peers(ipAndSelector)),
			allowed: false, egress: none, ingress: isolated},
		{name: "invalid cidr", src: "b/client", dst: "a/web", port: 80, policies: in(peers(testobj.IPBlock("10.0.0.0/99"))),
			allowed: false, egress: none, ingress: isolated},
		{name: "invalid except", src: "b/client", dst: "a/web", port: 80,
			policies: in(peers(testobj.IPBlock("10.0.0.0/8", "bogus"))),
			allowed:  false, egress: none, ingress: isolated},
		{name: "except of the other family", src: "b/client", dst: "a/web", port: 80,
			policies: in(peers(testobj.IPBlock("10.0.0.0/8", "fd00::/64"))),
			allowed:  false, egress: none, ingress: isolated},
		{name: "except outside the cidr", src: "b/client", dst: "a/web", port: 80,
			policies: in(peers(testobj.IPBlock("10.0.0.0/8", "192.168.0.0/16"))),
			allowed:  false, egress: none, ingress: isolated},
		{name: "except equal to the cidr", src: "c/x", dst: "a/web", port: 80,
			policies: in(peers(testobj.IPBlock("10.0.0.0/24", "10.0.0.0/24"))),
			allowed:  false, egress: none, ingress: isolated},
		{name: "bad namespaceSelector", src: "b/client", dst: "a/web", port: 80,
			policies: in(peers(testobj.NPPeer(badSelector, nil))),
			allowed:  false, egress: none, ingress: isolated},
		{name: "bad podSelector", src: "a/db", dst: "a/web", port: 80,
			policies: in(peers(testobj.NPPeer(nil, badSelectorOp))),
			allowed:  false, egress: none, ingress: isolated},
		{name: "bad peer does not spoil a good one", src: "b/client", dst: "a/web", port: 80,
			policies: in(peers(networkingv1.NetworkPolicyPeer{}, testobj.NPPeer(testobj.Sel(), nil))),
			allowed:  true, egress: none, ingress: allowed},
		{name: "unknown protocol", src: "b/client", dst: "a/web", port: 80, policies: in(portsOf(unknown)),
			allowed: false, egress: none, ingress: isolated},
		{name: "endPort below port", src: "b/client", dst: "a/web", port: 85,
			policies: in(portsOf(testobj.NPPortRange(tcp, 90, 80))),
			allowed:  false, egress: none, ingress: isolated},
		{name: "port 0", src: "b/client", dst: "a/web", port: 0,
			policies: in(portsOf(testobj.NPPort(tcp, intstr.FromInt32(0)))),
			allowed:  false, egress: none, ingress: isolated},
		{name: "named port with endPort", src: "b/client", dst: "a/web", port: 8080, policies: in(portsOf(namedWithEnd)),
			allowed: false, egress: none, ingress: isolated},
		{name: "endPort without port", src: "b/client", dst: "a/web", port: 80, policies: in(portsOf(endWithoutPort)),
			allowed: false, egress: none, ingress: isolated},
		{name: "bad port does not spoil a good one", src: "b/client", dst: "a/web", port: 80,
			policies: in(portsOf(unknown, testobj.NPPort("", intstr.FromInt32(80)))),
			allowed:  true, egress: none, ingress: allowed},
	})
}

// TestFailClosedDetail: the step of a rule that failed closed says why.
func TestFailClosedDetail(t *testing.T) {
	s := world(testobj.ANP("p", 1, clientSubject, testobj.ANPEgressRule("r", pass, nil, domainPeer)))
	f := eval.Flow{Src: endpoint(t, s, "b/client", false), Dst: endpoint(t, s, "a/web", false),
		Protocol: corev1.ProtocolTCP, Port: 80}
	v, err := New(s).Evaluate(f)
	if err != nil {
		t.Fatal(err)
	}
	if v.Egress == nil || len(v.Egress.Steps) != 1 {
		t.Fatalf("egress = %+v, want one step", v.Egress)
	}
	if d := v.Egress.Steps[0].Detail; !strings.Contains(d, "fail closed") || !strings.Contains(d, "domainNames") {
		t.Errorf("detail = %q, want it to say fail closed and name domainNames", d)
	}
}
