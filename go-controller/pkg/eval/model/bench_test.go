package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

// BenchmarkEvaluate judges a flow that walks all three tiers on both sides.
func BenchmarkEvaluate(b *testing.B) {
	s := world(
		egressANP("p", 1, clientSubject, egressRule("r", pass, ports(portRange(tcp, 1, 1000)), toNamespaces(sel()))),
		ingressANP("q", 2, nsSubject(sel("team=a")), ingressRule("r", deny, nil, fromPods(sel(), sel("app=db")))),
		netpol("a", "np", sel(), ingressOnly, []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{npPeer(nil, sel("team=b"))}}}, nil),
		banp("default", nsSubject(sel()), nil, []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{
			banpEgress("r", banpDeny, nil, anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Networks: []anpv1alpha1.CIDR{"192.0.2.0/24"}})}),
	)
	f := eval.Flow{Src: endpoint(b, s, "b/client", false), Dst: endpoint(b, s, "a/web", false), Protocol: corev1.ProtocolTCP, Port: 80}
	e := New(s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := e.Evaluate(f)
		if err != nil || !v.Allowed {
			b.Fatalf("Evaluate = %+v, %v; want allowed", v, err)
		}
	}
}
