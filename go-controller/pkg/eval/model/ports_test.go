package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

const (
	tcp  = corev1.ProtocolTCP
	udp  = corev1.ProtocolUDP
	sctp = corev1.ProtocolSCTP
)

func TestAdminPorts(t *testing.T) {
	// out denies b/client's egress to the peer on the given ports.
	out := func(peer anpv1alpha1.AdminNetworkPolicyEgressPeer, ps ...anpv1alpha1.AdminNetworkPolicyPort) []any {
		return []any{testobj.ANP("p", 1, clientSubject, testobj.ANPEgressRule("r", deny, testobj.ANPPorts(ps...), peer))}
	}
	web := testobj.ToPods(testobj.Sel(), testobj.Sel("app", "web"))
	denied, noMatch := "1:Deny "+anpP0, "1:NoMatch, "+none
	runFlowCases(t, []flowCase{
		{name: "port number matches", src: "b/client", dst: "a/web", port: 80,
			policies: out(web, testobj.ANPPortNumber(tcp, 80)),
			allowed:  false, egress: denied, ingress: none},
		{name: "port number: protocol defaults to TCP", src: "b/client", dst: "a/web", port: 80,
			policies: out(web, testobj.ANPPortNumber("", 80)),
			allowed:  false, egress: denied, ingress: none},
		{name: "port number: other port", src: "b/client", dst: "a/web", port: 81,
			policies: out(web, testobj.ANPPortNumber(tcp, 80)),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "port number: other protocol", src: "b/client", dst: "a/web", proto: udp, port: 80,
			policies: out(web, testobj.ANPPortNumber(tcp, 80)),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "port number SCTP", src: "b/client", dst: "a/web", proto: sctp, port: 80,
			policies: out(web, testobj.ANPPortNumber(sctp, 80)),
			allowed:  false, egress: denied, ingress: none},
		{name: "range: start is inclusive", src: "b/client", dst: "a/web", port: 8000,
			policies: out(web, testobj.ANPPortRange(tcp, 8000, 8100)),
			allowed:  false, egress: denied, ingress: none},
		{name: "range: end is inclusive", src: "b/client", dst: "a/web", port: 8100,
			policies: out(web, testobj.ANPPortRange(tcp, 8000, 8100)),
			allowed:  false, egress: denied, ingress: none},
		{name: "range: above end", src: "b/client", dst: "a/web", port: 8101,
			policies: out(web, testobj.ANPPortRange(tcp, 8000, 8100)),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "range: below start", src: "b/client", dst: "a/web", port: 7999,
			policies: out(web, testobj.ANPPortRange(tcp, 8000, 8100)),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "range: protocol respected", src: "b/client", dst: "a/web", proto: udp, port: 8050,
			policies: out(web, testobj.ANPPortRange("", 8000, 8100)),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "range UDP", src: "b/client", dst: "a/web", proto: udp, port: 8050,
			policies: out(web, testobj.ANPPortRange(udp, 8000, 8100)),
			allowed:  false, egress: denied, ingress: none},
		{name: "named port on destination pod", src: "b/client", dst: "a/web", port: 8080,
			policies: out(web, testobj.ANPNamedPort("http")),
			allowed:  false, egress: denied, ingress: none},
		{name: "named port: other port number", src: "b/client", dst: "a/web", port: 80,
			policies: out(web, testobj.ANPNamedPort("http")),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "named port: protocol must equal", src: "b/client", dst: "a/web", proto: udp, port: 8080,
			policies: out(web, testobj.ANPNamedPort("http")),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "named UDP port", src: "b/client", dst: "a/web", proto: udp, port: 53,
			policies: out(web, testobj.ANPNamedPort("dns")),
			allowed:  false, egress: denied, ingress: none},
		{name: "named UDP port with TCP flow", src: "b/client", dst: "a/web", port: 53,
			policies: out(web, testobj.ANPNamedPort("dns")),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "named SCTP port", src: "b/client", dst: "a/web", proto: sctp, port: 9000,
			policies: out(web, testobj.ANPNamedPort("sctp")),
			allowed:  false, egress: denied, ingress: none},
		{name: "named port the pod lacks", src: "b/client", dst: "c/x", port: 8080,
			policies: out(testobj.ToNamespaces(testobj.Sel()), testobj.ANPNamedPort("http")),
			allowed:  true, egress: noMatch, ingress: none},
		{name: "named port never matches a non-pod destination", src: "b/client", dst: "ip:10.0.0.1", port: 8080,
			policies: out(testobj.ToNetworks("0.0.0.0/0"), testobj.ANPNamedPort("http")),
			allowed:  true, egress: noMatch, ingress: ""},
		{name: "any of several ports", src: "b/client", dst: "a/web", proto: udp, port: 53,
			policies: out(web, testobj.ANPPortNumber(tcp, 80), testobj.ANPNamedPort("dns")),
			allowed:  false, egress: denied, ingress: none},
		{name: "ports apply to networks peers", src: "b/client", dst: "ip:8.8.8.8", port: 443,
			policies: out(testobj.ToNetworks("8.8.8.8/32"), testobj.ANPPortNumber(tcp, 443)),
			allowed:  false, egress: denied, ingress: ""},
		{name: "ingress named port resolves on the subject", src: "b/client", dst: "a/web", port: 8080,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel("team", "a")),
				testobj.ANPIngressRule("r", deny, testobj.ANPPorts(testobj.ANPNamedPort("http")),
					testobj.FromNamespaces(testobj.Sel())))},
			allowed: false, egress: none, ingress: denied},
		{name: "ingress named port missing on the subject", src: "a/web", dst: "a/db", port: 8080,
			policies: []any{testobj.ANP("p", 1, testobj.SubjectNamespaces(testobj.Sel("team", "a")),
				testobj.ANPIngressRule("r", deny, testobj.ANPPorts(testobj.ANPNamedPort("http")),
					testobj.FromNamespaces(testobj.Sel())))},
			allowed: true, egress: none, ingress: noMatch},
	})
}

func TestNetworkPolicyPorts(t *testing.T) {
	// in allows ingress to a/web from anywhere on the given ports.
	in := func(ps ...networkingv1.NetworkPolicyPort) []any {
		return []any{testobj.NetworkPolicy("a", "np", testobj.Sel("app", "web"), testobj.NPIngressPorts(ps))}
	}
	allowed := "2:Allow NetworkPolicy/a/np#0"
	udpAll := networkingv1.NetworkPolicyPort{Protocol: func() *corev1.Protocol { p := udp; return &p }()}
	runFlowCases(t, []flowCase{
		{name: "no ports: all ports", src: "b/client", dst: "a/web", proto: sctp, port: 7, policies: in(),
			allowed: true, egress: none, ingress: allowed},
		{name: "number, protocol defaults to TCP", src: "b/client", dst: "a/web", port: 80,
			policies: in(testobj.NPPort("", intstr.FromInt32(80))),
			allowed:  true, egress: none, ingress: allowed},
		{name: "number, UDP flow against TCP default", src: "b/client", dst: "a/web", proto: udp, port: 80,
			policies: in(testobj.NPPort("", intstr.FromInt32(80))),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "number, other port", src: "b/client", dst: "a/web", port: 81,
			policies: in(testobj.NPPort(tcp, intstr.FromInt32(80))),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "protocol only: every port of it", src: "b/client", dst: "a/web", proto: udp, port: 5353, policies: in(udpAll),
			allowed: true, egress: none, ingress: allowed},
		{name: "protocol only: other protocol", src: "b/client", dst: "a/web", port: 5353, policies: in(udpAll),
			allowed: false, egress: none, ingress: isolatedB},
		{name: "endPort range inclusive end", src: "b/client", dst: "a/web", port: 32768,
			policies: in(testobj.NPPortRange(tcp, 32000, 32768)),
			allowed:  true, egress: none, ingress: allowed},
		{name: "endPort range inclusive start", src: "b/client", dst: "a/web", port: 32000,
			policies: in(testobj.NPPortRange(tcp, 32000, 32768)),
			allowed:  true, egress: none, ingress: allowed},
		{name: "endPort range outside", src: "b/client", dst: "a/web", port: 32769,
			policies: in(testobj.NPPortRange(tcp, 32000, 32768)),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "named port on the subject", src: "b/client", dst: "a/web", port: 8080,
			policies: in(testobj.NPPort(tcp, intstr.FromString("http"))),
			allowed:  true, egress: none, ingress: allowed},
		{name: "named port, other number", src: "b/client", dst: "a/web", port: 80,
			policies: in(testobj.NPPort(tcp, intstr.FromString("http"))),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "named UDP port needs protocol UDP", src: "b/client", dst: "a/web", proto: udp, port: 53,
			policies: in(testobj.NPPort("", intstr.FromString("dns"))),
			allowed:  false, egress: none, ingress: isolatedB},
		{name: "named UDP port with protocol UDP", src: "b/client", dst: "a/web", proto: udp, port: 53,
			policies: in(testobj.NPPort(udp, intstr.FromString("dns"))),
			allowed:  true, egress: none, ingress: allowed},
		{name: "egress named port on the peer pod", src: "b/client", dst: "a/web", port: 8080,
			policies: []any{testobj.NetworkPolicy("b", "np", testobj.Sel(),
				testobj.NPEgressPorts([]networkingv1.NetworkPolicyPort{testobj.NPPort(tcp, intstr.FromString("http"))}))},
			allowed: true, egress: "2:Allow NetworkPolicy/b/np#0", ingress: none},
		{name: "egress named port to an outside IP", src: "b/client", dst: "ip:10.0.0.1", port: 8080,
			policies: []any{testobj.NetworkPolicy("b", "np", testobj.Sel(),
				testobj.NPEgressPorts([]networkingv1.NetworkPolicyPort{testobj.NPPort(tcp, intstr.FromString("http"))}))},
			allowed: false, egress: isolatedB, ingress: ""},
	})
}
