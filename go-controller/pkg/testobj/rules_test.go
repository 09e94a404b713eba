package testobj

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// Each rule, port and peer helper must give exactly the object written out by hand.
func TestRuleBuilders(t *testing.T) {
	http := "http"
	port80, end := intstr.FromInt32(80), int32(90)
	udp := corev1.ProtocolUDP
	ports := ANPPorts(ANPPortNumber(corev1.ProtocolTCP, 80), ANPPortRange("", 1, 2), ANPNamedPort("http"))
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"anp named rules", ANP("p", 1, SubjectNamespaces(Sel()),
			ANPEgressRule("out", "Deny", ports, ToNodes(Sel("role", "x"))),
			ANPIngressRule("in", "Pass", nil, FromNamespaces(Sel()))),
			&anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "p"},
				Spec: anpv1alpha1.AdminNetworkPolicySpec{Priority: 1,
					Subject: anpv1alpha1.AdminNetworkPolicySubject{Namespaces: Sel()},
					Egress: []anpv1alpha1.AdminNetworkPolicyEgressRule{{Name: "out", Action: "Deny",
						To: []anpv1alpha1.AdminNetworkPolicyEgressPeer{{Nodes: Sel("role", "x")}},
						Ports: &[]anpv1alpha1.AdminNetworkPolicyPort{
							{PortNumber: &anpv1alpha1.Port{Protocol: corev1.ProtocolTCP, Port: 80}},
							{PortRange: &anpv1alpha1.PortRange{Start: 1, End: 2}},
							{NamedPort: &http}}}},
					Ingress: []anpv1alpha1.AdminNetworkPolicyIngressRule{{Name: "in", Action: "Pass",
						From: []anpv1alpha1.AdminNetworkPolicyIngressPeer{{Namespaces: Sel()}}}}}}},
		{"banp named rules", BANP(SubjectNamespaces(Sel()),
			BANPEgressRule("e", "Allow", nil, BANPToNamespaces(Sel()), BANPToPods(Sel(), Sel("a", "b"))),
			BANPIngressRule("i", "Deny", ANPPorts(), FromPods(Sel(), Sel()))),
			&anpv1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default"},
				Spec: anpv1alpha1.BaselineAdminNetworkPolicySpec{
					Subject: anpv1alpha1.AdminNetworkPolicySubject{Namespaces: Sel()},
					Egress: []anpv1alpha1.BaselineAdminNetworkPolicyEgressRule{{Name: "e", Action: "Allow",
						To: []anpv1alpha1.BaselineAdminNetworkPolicyEgressPeer{{Namespaces: Sel()},
							{Pods: &anpv1alpha1.NamespacedPod{NamespaceSelector: *Sel(), PodSelector: *Sel("a", "b")}}}}},
					Ingress: []anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{{Name: "i", Action: "Deny",
						Ports: &[]anpv1alpha1.AdminNetworkPolicyPort{},
						From: []anpv1alpha1.AdminNetworkPolicyIngressPeer{{Pods: &anpv1alpha1.NamespacedPod{
							NamespaceSelector: *Sel(), PodSelector: *Sel()}}}}}}}},
		{"cnp named rules", CNP("c", cnpv1beta1.AdminTier, 2, CNPSubjectPods(Sel(), Sel("app", "x")),
			CNPEgressRule("e", "Deny", nil, CNPToNamespaces(Sel())),
			CNPIngressRule("i", "Accept", []cnpv1beta1.ClusterNetworkPolicyProtocol{{DestinationNamedPort: "dns"}},
				CNPFromNamespaces(Sel()))),
			&cnpv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "c"},
				Spec: cnpv1beta1.ClusterNetworkPolicySpec{Tier: cnpv1beta1.AdminTier, Priority: 2,
					Subject: cnpv1beta1.ClusterNetworkPolicySubject{Pods: &cnpv1beta1.NamespacedPod{
						NamespaceSelector: *Sel(), PodSelector: *Sel("app", "x")}},
					Egress: []cnpv1beta1.ClusterNetworkPolicyEgressRule{{Name: "e", Action: "Deny",
						To: []cnpv1beta1.ClusterNetworkPolicyEgressPeer{{Namespaces: Sel()}}}},
					Ingress: []cnpv1beta1.ClusterNetworkPolicyIngressRule{{Name: "i", Action: "Accept",
						Protocols: []cnpv1beta1.ClusterNetworkPolicyProtocol{{DestinationNamedPort: "dns"}},
						From:      []cnpv1beta1.ClusterNetworkPolicyIngressPeer{{Namespaces: Sel()}}}}}}},
		{"networkpolicy ports", NetworkPolicy("a", "np", Sel(),
			NPIngressPorts([]networkingv1.NetworkPolicyPort{NPPort("", port80), NPPortRange(udp, 80, 90)},
				IPBlock("10.0.0.0/8", "10.1.0.0/16")),
			NPEgressPorts(nil), NoPolicyTypes()),
			&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "np"},
				Spec: networkingv1.NetworkPolicySpec{PodSelector: *Sel(),
					Ingress: []networkingv1.NetworkPolicyIngressRule{{
						Ports: []networkingv1.NetworkPolicyPort{{Port: &port80},
							{Protocol: &udp, Port: &port80, EndPort: &end}},
						From: []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{
							CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}}}},
					Egress: []networkingv1.NetworkPolicyEgressRule{{}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !equality.Semantic.DeepEqual(tc.got, tc.want) {
				t.Errorf("got\n%#v\nwant\n%#v", tc.got, tc.want)
			}
		})
	}
}
