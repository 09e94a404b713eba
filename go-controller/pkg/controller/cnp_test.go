package controller_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	fakediscovery "k8s.io/client-go/discovery/fake"
	k8stesting "k8s.io/client-go/testing"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// cnp is a ClusterNetworkPolicy whose subject is the pods app=web in namespaces team=a, with one ingress
// rule from the namespaces team=b.
func cnp(name string, tier cnpv1beta1.Tier, prio int32,
	action cnpv1beta1.ClusterNetworkPolicyRuleAction) *cnpv1beta1.ClusterNetworkPolicy {
	return &cnpv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: cnpv1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: prio,
			Subject: cnpv1beta1.ClusterNetworkPolicySubject{Pods: &cnpv1beta1.NamespacedPod{
				NamespaceSelector: *testobj.Sel("team", "a"), PodSelector: *testobj.Sel("app", "web")}},
			Ingress: []cnpv1beta1.ClusterNetworkPolicyIngressRule{{Name: "from-b", Action: action,
				From: []cnpv1beta1.ClusterNetworkPolicyIngressPeer{{Namespaces: testobj.Sel("team", "b")}}}}}}
}

func (e *env) cnpCondition(name string, status metav1.ConditionStatus, reason string) error {
	c, err := e.policy.PolicyV1beta1().ClusterNetworkPolicies().Get(e.ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	var found []metav1.Condition
	for _, cond := range c.Status.Conditions {
		if cond.Type == controller.ConditionProgrammed {
			found = append(found, cond)
		}
	}
	switch {
	case len(found) != 1:
		return fmt.Errorf("%s has %d %s conditions, want one: %+v", name, len(found), controller.ConditionProgrammed,
			c.Status)
	case found[0].Status != status || found[0].Reason != reason:
		return fmt.Errorf("%s is %s/%s (%s), want %s/%s", name, found[0].Status, found[0].Reason, found[0].Message, status,
			reason)
	case found[0].ObservedGeneration != c.Generation:
		return fmt.Errorf("%s: condition for generation %d, object at %d", name, found[0].ObservedGeneration, c.Generation)
	}
	return nil
}

// A cluster that serves only ClusterNetworkPolicy (v0.3.0 CRDs, no ANP/BANP): the controller watches
// CNPs alone, programs both tiers, names each row's CNP, tier and rule, sets one Programmed condition
// per CNP, reports a tie with a Warning event, and logs when the annotation asks for it.
func TestClusterNetworkPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	admin := cnp("admin-deny", cnpv1beta1.AdminTier, 1000, cnpv1beta1.ClusterNetworkPolicyRuleActionDeny)
	admin.Annotations = map[string]string{"k8s.ovn.org/acl-logging": `{"deny":"alert"}`}
	base := cnp("base-accept", cnpv1beta1.BaselineTier, 7, cnpv1beta1.ClusterNetworkPolicyRuleActionAccept)
	twin := cnp("base-twin", cnpv1beta1.BaselineTier, 7, cnpv1beta1.ClusterNetworkPolicyRuleActionPass)
	e.put(admin, base)
	r := e.start(func(c *controller.Config) {
		c.Unserved = map[controller.Kind]bool{controller.KindANP: true, controller.KindBANP: true}
	})
	e.synced()
	for name, tier := range map[string]string{"admin-deny": "1", "base-accept": "3"} {
		acls := e.aclsOf("ClusterNetworkPolicy", name)
		var rule int
		for _, a := range acls {
			if a.ExternalIDs[nbrows.KeyACLRole] != nbrows.RoleRule {
				continue
			}
			rule++
			wantTier := map[string]string{"1": "Admin", "3": "Baseline"}[tier]
			if fmt.Sprint(a.Tier) != tier || a.ExternalIDs[nbrows.KeyTier] != wantTier ||
				a.ExternalIDs[nbrows.KeyRuleName] != "from-b" ||
				!strings.HasPrefix(deref(a.Name), "cnp-"+strings.ToLower(wantTier)+":"+name+":in:0") {
				t.Errorf("%s: ACL tier %d name %q external_ids %v", name, a.Tier, deref(a.Name), a.ExternalIDs)
			}
			if logged := a.Log && a.Severity != nil && *a.Severity == "alert"; logged != (name == "admin-deny") {
				t.Errorf("%s: log %v severity %v", name, a.Log, a.Severity)
			}
		}
		if rule != 1 {
			t.Errorf("%s: %d rule ACLs, want 1: %+v", name, rule, acls)
		}
	}
	for _, name := range []string{"admin-deny", "base-accept"} {
		e.eventually(name+" programmed",
			func() error { return e.cnpCondition(name, metav1.ConditionTrue, controller.ReasonProgrammed) })
	}
	e.put(twin)
	e.synced()
	for _, name := range []string{"base-accept", "base-twin"} {
		e.eventually(name+" conflicts",
			func() error { return e.cnpCondition(name, metav1.ConditionTrue, "PriorityConflict") })
	}
	e.waitEvent(r, "Warning PriorityConflict ")
	e.del(twin)
	e.synced()
	e.eventually("base-accept programmed again", func() error {
		return e.cnpCondition("base-accept", metav1.ConditionTrue, controller.ReasonProgrammed)
	})
	if rows := e.ownedBy("ClusterNetworkPolicy", "base-twin"); len(rows) != 0 {
		t.Errorf("rows of the deleted CNP remain: %v", rows)
	}
}

func TestServedPolicyKinds(t *testing.T) {
	v1alpha1 := &metav1.APIResourceList{GroupVersion: "policy.networking.k8s.io/v1alpha1",
		APIResources: []metav1.APIResource{{Name: "adminnetworkpolicies"}, {Name: "baselineadminnetworkpolicies"}}}
	v1beta1 := &metav1.APIResourceList{GroupVersion: "policy.networking.k8s.io/v1beta1",
		APIResources: []metav1.APIResource{{Name: "clusternetworkpolicies"}, {Name: "clusternetworkpolicies/status"}}}
	tests := []struct {
		name     string
		lists    []*metav1.APIResourceList
		unserved []controller.Kind
	}{
		{"v0.3.0 only", []*metav1.APIResourceList{v1beta1}, []controller.Kind{controller.KindANP, controller.KindBANP}},
		{"v0.1.7 only", []*metav1.APIResourceList{v1alpha1}, []controller.Kind{controller.KindCNP}},
		{"both", []*metav1.APIResourceList{v1alpha1, v1beta1}, nil},
		{"neither", nil, []controller.Kind{controller.KindANP, controller.KindBANP, controller.KindCNP}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &fakediscovery.FakeDiscovery{Fake: &k8stesting.Fake{Resources: tc.lists}}
			got, err := controller.ServedPolicyKinds(d)
			if err != nil {
				t.Fatal(err)
			}
			want := map[controller.Kind]bool{}
			for _, k := range tc.unserved {
				want[k] = true
			}
			if !maps.Equal(got, want) {
				t.Errorf("unserved %v, want %v", got, want)
			}
		})
	}
}

// Installing a CRD while the controller runs is seen at the next check and ends the watch with
// ErrServedChanged; an unchanged cluster keeps it going until the context ends.
func TestWatchServedPolicyKinds(t *testing.T) {
	v1beta1 := &metav1.APIResourceList{GroupVersion: "policy.networking.k8s.io/v1beta1",
		APIResources: []metav1.APIResource{{Name: "clusternetworkpolicies"}}}
	fake := &k8stesting.Fake{Resources: []*metav1.APIResourceList{v1beta1}}
	d := &fakediscovery.FakeDiscovery{Fake: fake}
	unserved, err := controller.ServedPolicyKinds(d)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := controller.WatchServedPolicyKinds(ctx, d, unserved, 5*time.Millisecond); err != nil {
		t.Fatalf("nothing changed, yet: %v", err)
	}
	fake.Resources = append(fake.Resources, &metav1.APIResourceList{GroupVersion: "policy.networking.k8s.io/v1alpha1",
		APIResources: []metav1.APIResource{{Name: "adminnetworkpolicies"}, {Name: "baselineadminnetworkpolicies"}}})
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	err = controller.WatchServedPolicyKinds(ctx2, d, unserved, 5*time.Millisecond)
	if !errors.Is(err, controller.ErrServedChanged) {
		t.Fatalf("the v0.1.7 CRDs were installed: got %v, want ErrServedChanged", err)
	}
}
