package testobj

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// Each builder must give exactly the object written out by hand.
func TestBuilders(t *testing.T) {
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"namespace with labels", Namespace("a", Labels("team", "a", "env")),
			&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", Labels: map[string]string{
				corev1.LabelMetadataName: "a", "team": "a", "env": ""}}}},
		{"pod", Pod("a", "web", Labels("app", "web"), IP("10.0.0.5", "fd00::5"), OnNode("n2"),
			Annotations("k", "v"), Ports(Port("http", 8080, ""))),
			&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "web",
				Labels: map[string]string{"app": "web"}, Annotations: map[string]string{"k": "v"}},
				Spec: corev1.PodSpec{NodeName: "n2", Containers: []corev1.Container{{Name: "c",
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}}}}},
				Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "10.0.0.5",
					PodIPs: []corev1.PodIP{{IP: "10.0.0.5"}, {IP: "fd00::5"}}}}},
		{"host-network pod", Pod("b", "h", IP("10.0.0.9"), HostNetwork("172.18.0.2"), Phase(corev1.PodSucceeded)),
			&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "b", Name: "h"},
				Spec: corev1.PodSpec{NodeName: "node-1", HostNetwork: true},
				Status: corev1.PodStatus{Phase: corev1.PodSucceeded, PodIP: "172.18.0.2",
					PodIPs: []corev1.PodIP{{IP: "172.18.0.2"}}}}},
		{"node", Node("n1", Labels("role", "worker"), NodeIP("172.18.0.2")),
			&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{"role": "worker"}},
				Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
					{Type: corev1.NodeInternalIP, Address: "172.18.0.2"}}}}},
		{"selectors", []*metav1.LabelSelector{Sel(), Expr("app", metav1.LabelSelectorOpIn, "x")},
			[]*metav1.LabelSelector{{MatchLabels: map[string]string{}}, {MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "app", Operator: metav1.LabelSelectorOpIn, Values: []string{"x"}}}}}},
		{"anp", ANP("deny-b", 10, SubjectNamespaces(Sel("team", "a")),
			ANPIngress(anpv1alpha1.AdminNetworkPolicyRuleActionDeny, FromNamespaces(Sel("team", "b"))),
			ANPIngress(anpv1alpha1.AdminNetworkPolicyRuleActionAllow, FromPods(Sel(), Sel("app", "x"))),
			ANPEgress(anpv1alpha1.AdminNetworkPolicyRuleActionPass, ToNetworks("10.0.0.0/8"))),
			&anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny-b"},
				Spec: anpv1alpha1.AdminNetworkPolicySpec{Priority: 10,
					Subject: anpv1alpha1.AdminNetworkPolicySubject{Namespaces: Sel("team", "a")},
					Ingress: []anpv1alpha1.AdminNetworkPolicyIngressRule{
						{Name: "in-0", Action: "Deny", From: []anpv1alpha1.AdminNetworkPolicyIngressPeer{
							{Namespaces: Sel("team", "b")}}},
						{Name: "in-1", Action: "Allow", From: []anpv1alpha1.AdminNetworkPolicyIngressPeer{
							{Pods: &anpv1alpha1.NamespacedPod{PodSelector: *Sel("app", "x"), NamespaceSelector: *Sel()}}}}},
					Egress: []anpv1alpha1.AdminNetworkPolicyEgressRule{{Name: "eg-0", Action: "Pass",
						To: []anpv1alpha1.AdminNetworkPolicyEgressPeer{{Networks: []anpv1alpha1.CIDR{"10.0.0.0/8"}}}}}}}},
		{"banp", BANP(SubjectPods(Sel(), Sel("app", "db")),
			BANPIngress(anpv1alpha1.BaselineAdminNetworkPolicyRuleActionDeny, FromNamespaces(Sel()))),
			&anpv1alpha1.BaselineAdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "default"},
				Spec: anpv1alpha1.BaselineAdminNetworkPolicySpec{
					Subject: anpv1alpha1.AdminNetworkPolicySubject{Pods: &anpv1alpha1.NamespacedPod{
						NamespaceSelector: *Sel(), PodSelector: *Sel("app", "db")}},
					Ingress: []anpv1alpha1.BaselineAdminNetworkPolicyIngressRule{{Name: "in-0", Action: "Deny",
						From: []anpv1alpha1.AdminNetworkPolicyIngressPeer{{Namespaces: Sel()}}}}}}},
		{"cnp", CNP("c", cnpv1beta1.BaselineTier, 3, CNPSubjectNamespaces(Sel()),
			CNPEgress(cnpv1beta1.ClusterNetworkPolicyRuleActionAccept, CNPToNamespaces(Sel("x", "y")))),
			&cnpv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "c"},
				Spec: cnpv1beta1.ClusterNetworkPolicySpec{Tier: cnpv1beta1.BaselineTier, Priority: 3,
					Subject: cnpv1beta1.ClusterNetworkPolicySubject{Namespaces: Sel()},
					Egress: []cnpv1beta1.ClusterNetworkPolicyEgressRule{{Name: "eg-0", Action: "Accept",
						To: []cnpv1beta1.ClusterNetworkPolicyEgressPeer{{Namespaces: Sel("x", "y")}}}}}}},
		{"networkpolicy", NetworkPolicy("a", "np", Sel("app", "web"), NPIngress(NPPeer(nil, Sel("app", "c"))),
			NPIngress(), Isolate(networkingv1.PolicyTypeEgress, networkingv1.PolicyTypeIngress)),
			&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "np"},
				Spec: networkingv1.NetworkPolicySpec{PodSelector: *Sel("app", "web"),
					Ingress: []networkingv1.NetworkPolicyIngressRule{
						{From: []networkingv1.NetworkPolicyPeer{{PodSelector: Sel("app", "c")}}}, {}},
					PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !equality.Semantic.DeepEqual(tc.got, tc.want) {
				t.Errorf("got\n%#v\nwant\n%#v", tc.got, tc.want)
			}
		})
	}
}

// Tweaks must not share state between objects built from the same tweak.
func TestTweaksDoNotShare(t *testing.T) {
	lbl := Labels("app", "x")
	a, b := Pod("n", "a", lbl), Pod("n", "b", lbl)
	a.Labels["app"] = "changed"
	if b.Labels["app"] != "x" {
		t.Errorf("second pod's label = %q, want x", b.Labels["app"])
	}
}

// Copy changes the copy only; Relabel replaces the labels but a namespace's name label.
func TestCopyRelabel(t *testing.T) {
	p := Pod("n", "a", Labels("app", "x", "tier", "web"))
	moved := Copy(p, Relabel("app", "y"), Annotations("k", "v"))
	ns := Copy(Namespace("b", Labels("team", "b")), Relabel("team", "c"))
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"original", p.Labels, map[string]string{"app": "x", "tier": "web"}},
		{"copy labels", moved.Labels, map[string]string{"app": "y"}},
		{"copy annotations", moved.Annotations, map[string]string{"k": "v"}},
		{"original annotations", p.Annotations, map[string]string(nil)},
		{"namespace", ns.Labels, map[string]string{corev1.LabelMetadataName: "b", "team": "c"}},
	} {
		if !equality.Semantic.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
