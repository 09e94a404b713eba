package controller_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// world is the cluster most tests start from; tests put their policies in with env.put.
//
//	a (team=a): web (app=web) 10.0.0.1, db (app=db) 10.0.0.2
//	b (team=b): client (app=client) 10.0.0.3
//	c (team=c): other (app=web) 10.0.0.4
func world() *cluster.Snapshot {
	return &cluster.Snapshot{
		Namespaces: []*corev1.Namespace{testobj.Namespace("a", testobj.Labels("team", "a")),
			testobj.Namespace("b", testobj.Labels("team", "b")), testobj.Namespace("c", testobj.Labels("team", "c"))},
		Pods: []*corev1.Pod{pod("a", "web", 1, testobj.Labels("app", "web")), pod("a", "db", 2, testobj.Labels("app", "db")),
			pod("b", "client", 3, testobj.Labels("app", "client")), pod("c", "other", 4, testobj.Labels("app", "web"))},
	}
}

// pod is a running pod with IP 10.0.0.<n> on no node, not testobj.Pod's node-1: zone mode places a pod by
// its Node, which these clusters do not have; the zone tests give their pods nodes with testobj.OnNode.
func pod(ns, name string, n int, tweaks ...testobj.PodTweak) *corev1.Pod {
	base := []testobj.PodTweak{testobj.OnNode(""), testobj.IP(fmt.Sprintf("10.0.0.%d", n))}
	return testobj.Pod(ns, name, append(base, tweaks...)...)
}

// The ANP rule actions, short for the tables.
const (
	allow = anpv1alpha1.AdminNetworkPolicyRuleActionAllow
	deny  = anpv1alpha1.AdminNetworkPolicyRuleActionDeny
	pass  = anpv1alpha1.AdminNetworkPolicyRuleActionPass
)
