package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// BenchmarkEvaluate judges a flow that walks all three tiers on both sides.
func BenchmarkEvaluate(b *testing.B) {
	s := world(
		testobj.ANP("p", 1, clientSubject,
			testobj.ANPEgressRule("r", pass, testobj.ANPPorts(testobj.ANPPortRange(tcp, 1, 1000)),
				testobj.ToNamespaces(testobj.Sel()))),
		testobj.ANP("q", 2, testobj.SubjectNamespaces(testobj.Sel("team", "a")),
			testobj.ANPIngressRule("r", deny, nil, testobj.FromPods(testobj.Sel(), testobj.Sel("app", "db")))),
		testobj.NetworkPolicy("a", "np", testobj.Sel(), testobj.NPIngress(testobj.NPPeer(testobj.Sel("team", "b"), nil))),
		testobj.BANP(testobj.SubjectNamespaces(testobj.Sel()),
			testobj.BANPEgressRule("r", banpDeny, nil,
				anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{Networks: []anpv1alpha1.CIDR{"192.0.2.0/24"}})),
	)
	f := eval.Flow{Src: endpoint(b, s, "b/client", false), Dst: endpoint(b, s, "a/web", false),
		Protocol: corev1.ProtocolTCP, Port: 80}
	e := New(s)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := e.Evaluate(f)
		if err != nil || !v.Allowed {
			b.Fatalf("Evaluate = %+v, %v; want allowed", v, err)
		}
	}
}
