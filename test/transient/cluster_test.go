package transient

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// The pods: a client of team red, whose connections to the server must be denied throughout, a client
// of team green, whose connections must get through throughout, and the server of team blue.
const (
	redClient   = "red/client"
	greenClient = "green/client"
	blueServer  = "blue/server"
	serverPort  = 80
)

// team is a namespace of one team, labeled with it.
func team(name string) *corev1.Namespace {
	return testobj.Namespace(name, testobj.Labels("team", name))
}

func teams(team string) *metav1.LabelSelector { return testobj.Sel("team", team) }

// denyRed is the ANP under change: it denies the blue server all ingress from team red. Its variants
// all deny the same flow.
type denyRed struct {
	name     string
	priority int32
	// inserted puts an allow rule for team green on port 8080 before the deny rule, which moves the
	// deny rule to the next ACL priority.
	inserted bool
	// podSelectors selects subject and peer by pod labels instead of by namespace.
	podSelectors bool
}

func (d denyRed) anp() *anpv1alpha1.AdminNetworkPolicy {
	subject := anpv1alpha1.AdminNetworkPolicySubject{Namespaces: teams("blue")}
	peer := anpv1alpha1.AdminNetworkPolicyIngressPeer{Namespaces: teams("red")}
	if d.podSelectors {
		subject = anpv1alpha1.AdminNetworkPolicySubject{Pods: &anpv1alpha1.NamespacedPod{
			NamespaceSelector: metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: "blue"}},
			PodSelector:       metav1.LabelSelector{MatchLabels: map[string]string{"app": "server"}}}}
		peer = anpv1alpha1.AdminNetworkPolicyIngressPeer{Pods: &anpv1alpha1.NamespacedPod{
			NamespaceSelector: metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: "red"}},
			PodSelector:       metav1.LabelSelector{MatchLabels: map[string]string{"app": "client"}}}}
	}
	var rules []anpv1alpha1.AdminNetworkPolicyIngressRule
	if d.inserted {
		port := anpv1alpha1.AdminNetworkPolicyPort{PortNumber: &anpv1alpha1.Port{Protocol: corev1.ProtocolTCP, Port: 8080}}
		rules = append(rules, anpv1alpha1.AdminNetworkPolicyIngressRule{Name: "allow-green-8080",
			Action: anpv1alpha1.AdminNetworkPolicyRuleActionAllow,
			From:   []anpv1alpha1.AdminNetworkPolicyIngressPeer{{Namespaces: teams("green")}},
			Ports:  &[]anpv1alpha1.AdminNetworkPolicyPort{port}})
	}
	rules = append(rules, anpv1alpha1.AdminNetworkPolicyIngressRule{Name: "deny-red",
		Action: anpv1alpha1.AdminNetworkPolicyRuleActionDeny, From: []anpv1alpha1.AdminNetworkPolicyIngressPeer{peer}})
	return &anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: d.name},
		Spec: anpv1alpha1.AdminNetworkPolicySpec{Priority: d.priority, Subject: subject, Ingress: rules}}
}

// allowAll allows the blue server all ingress at a lower precedence than denyRed: wherever denyRed's
// rows are missing for a moment, team red gets through.
func allowAll() *anpv1alpha1.AdminNetworkPolicy {
	a := testobj.ANP("allow-all", 50, testobj.SubjectNamespaces(teams("blue")),
		testobj.ANPIngress(anpv1alpha1.AdminNetworkPolicyRuleActionAllow, testobj.FromNamespaces(testobj.Sel())))
	a.Spec.Ingress[0].Name = "everyone"
	return a
}

// snapshot is the cluster with the given denyRed variants (none, one, or several).
func snapshot(variants ...denyRed) *cluster.Snapshot {
	s := &cluster.Snapshot{
		Namespaces: []*corev1.Namespace{team("red"), team("green"), team("blue")},
		Nodes:      []*corev1.Node{testobj.Node("node-1", testobj.NodeIP("172.18.0.2"))},
		Pods: []*corev1.Pod{
			testobj.Pod("red", "client", testobj.IP("10.244.0.10"), testobj.Labels("app", "client")),
			testobj.Pod("green", "client", testobj.IP("10.244.0.11"), testobj.Labels("app", "client")),
			testobj.Pod("blue", "server", testobj.IP("10.244.0.12"), testobj.Labels("app", "server")),
		},
		ANPs: []*anpv1alpha1.AdminNetworkPolicy{allowAll()},
	}
	for _, v := range variants {
		s.ANPs = append(s.ANPs, v.anp())
	}
	return s
}
