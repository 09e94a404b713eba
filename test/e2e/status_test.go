package e2e_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
	"github.com/tieracl/tieracl/test/e2e"
)

// TestStatusAndEvents checks what the controller tells through the API: two ANPs of equal priority are
// programmed with reason PriorityConflict and get a Warning event each, a third with a priority of its
// own is Programmed/Programmed with no Warning, and resolving the conflict clears the reason.
func TestStatusAndEvents(t *testing.T) {
	env := environment(t)
	pols := policies(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	tieA := denyIngress("e2e-tie-a", 77, "slytherin", "gryffindor")
	tieB := denyIngress("e2e-tie-b", 77, "slytherin", "hufflepuff")
	normal := denyIngress("e2e-normal", 78, "ravenclaw", "gryffindor")
	prog, _ := apply(t, ctx, env, pols, anps(t, tieA, tieB, normal))
	expectCondition(t, ctx, env, tieA.Name, metav1.ConditionTrue, policy.ReasonPriorityConflict)
	expectCondition(t, ctx, env, tieB.Name, metav1.ConditionTrue, policy.ReasonPriorityConflict)
	expectCondition(t, ctx, env, normal.Name, metav1.ConditionTrue, controller.ReasonProgrammed)
	for _, name := range []string{tieA.Name, tieB.Name} {
		ev := waitWarning(t, ctx, env, name, policy.ReasonPriorityConflict)
		t.Logf("event on %s: %s %s from %s: %s", name, ev.Type, ev.Reason, ev.Source.Component, ev.Message)
		if ev.Source.Component != controller.Component {
			t.Errorf("event on %s comes from %q, want %q", name, ev.Source.Component, controller.Component)
		}
	}
	if evs := warnings(t, ctx, env, normal.Name); len(evs) > 0 {
		t.Errorf("%s has a priority of its own, but got Warning events: %v", normal.Name, evs)
	}
	expect(t, env, prog,
		tcp80(harry0, draco0, "Deny"), tcp80(cedric0, draco0, "Deny"), tcp80(harry0, luna0, "Deny"),
		tcp80(luna0, draco0, "Allow"))

	tieB.Spec.Priority = 79
	apply(t, ctx, env, pols, anps(t, tieA, tieB, normal))
	for _, name := range []string{tieA.Name, tieB.Name, normal.Name} {
		expectCondition(t, ctx, env, name, metav1.ConditionTrue, controller.ReasonProgrammed)
	}
}

// expectCondition checks the ANP's Programmed condition as the API holds it.
func expectCondition(t *testing.T, ctx context.Context, env *e2e.Env, name string, status metav1.ConditionStatus,
	reason string) {
	t.Helper()
	anp, err := env.Policy.PolicyV1alpha1().AdminNetworkPolicies().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := meta.FindStatusCondition(anp.Status.Conditions, controller.ConditionProgrammed)
	switch {
	case c == nil:
		t.Errorf("%s has no %s condition: %+v", name, controller.ConditionProgrammed, anp.Status)
	case c.Status != status || c.Reason != reason || c.ObservedGeneration != anp.Generation:
		t.Errorf("%s: %s=%s reason %s observed generation %d (%q); want %s reason %s generation %d", name,
			c.Type, c.Status, c.Reason, c.ObservedGeneration, c.Message, status, reason, anp.Generation)
	default:
		t.Logf("%s: %s=%s reason %s: %s", name, c.Type, c.Status, c.Reason, c.Message)
	}
}

// warnings lists the Warning events about a cluster-scoped object, which land in namespace default.
func warnings(t *testing.T, ctx context.Context, env *e2e.Env, name string) []corev1.Event {
	t.Helper()
	list, err := env.Admin.CoreV1().Events(metav1.NamespaceDefault).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.name=" + name + ",type=" + corev1.EventTypeWarning})
	if err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// waitWarning waits for a Warning event with reason about the object; events are sent in the background.
func waitWarning(t *testing.T, ctx context.Context, env *e2e.Env, name, reason string) corev1.Event {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		evs := warnings(t, ctx, env, name)
		for _, ev := range evs {
			if ev.Reason == reason {
				return ev
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Warning event %s about %s within 30s; its Warning events: %v", reason, name, evs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestClusterNetworkPolicy checks ClusterNetworkPolicy through the API with the deployment's
// ServiceAccount: an Admin CNP tied with an ANP at one priority is evaluated after it (the older kind
// first) and both say PriorityConflict, with a Warning event on the CNP; a Baseline CNP is
// Programmed/Programmed; packets obey that order.
func TestClusterNetworkPolicy(t *testing.T) {
	env := environment(t)
	pols := policies(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	allowGryffindor := denyIngress("e2e-mix-anp", 60, "slytherin", "gryffindor")
	allowGryffindor.Spec.Ingress[0].Action = anpv1alpha1.AdminNetworkPolicyRuleActionAllow
	// cnp denies the subject house ingress from the other houses.
	cnp := func(name string, tier cnpv1beta1.Tier, prio int32, subject string,
		from ...string) *cnpv1beta1.ClusterNetworkPolicy {
		var peers []cnpv1beta1.ClusterNetworkPolicyIngressPeer
		for _, f := range from {
			peers = append(peers, testobj.CNPFromNamespaces(house(f)))
		}
		return testobj.CNP(name, tier, prio, testobj.CNPSubjectNamespaces(house(subject)),
			testobj.CNPIngressRule("deny", cnpv1beta1.ClusterNetworkPolicyRuleActionDeny, nil, peers...))
	}
	admin := cnp("e2e-mix-cnp", cnpv1beta1.AdminTier, 60, "slytherin", "gryffindor", "hufflepuff")
	baseline := cnp("e2e-baseline", cnpv1beta1.BaselineTier, 5, "ravenclaw", "gryffindor")
	want, err := e2e.PoliciesOf(&cluster.Snapshot{ANPs: []*anpv1alpha1.AdminNetworkPolicy{allowGryffindor},
		CNPs: []*cnpv1beta1.ClusterNetworkPolicy{admin, baseline}})
	if err != nil {
		t.Fatal(err)
	}
	prog, _ := apply(t, ctx, env, pols, want)
	expectCondition(t, ctx, env, allowGryffindor.Name, metav1.ConditionTrue, policy.ReasonPriorityConflict)
	expectCNPCondition(t, ctx, env, admin.Name, metav1.ConditionTrue, policy.ReasonPriorityConflict)
	expectCNPCondition(t, ctx, env, baseline.Name, metav1.ConditionTrue, controller.ReasonProgrammed)
	ev := waitWarning(t, ctx, env, admin.Name, policy.ReasonPriorityConflict)
	t.Logf("event on %s: %s %s: %s", admin.Name, ev.Type, ev.Reason, ev.Message)
	expect(t, env, prog,
		tcp80(harry0, draco0, "Allow"), tcp80(cedric0, draco0, "Deny"), // the ANP before the tied CNP
		tcp80(harry0, luna0, "Deny"), tcp80(cedric0, luna0, "Allow")) // Baseline CNP, no NetworkPolicy
}

// expectCNPCondition checks the ClusterNetworkPolicy's Programmed condition: exactly one, for its
// generation.
func expectCNPCondition(t *testing.T, ctx context.Context, env *e2e.Env, name string, status metav1.ConditionStatus,
	reason string) {
	t.Helper()
	cnp, err := env.Policy.PolicyV1beta1().ClusterNetworkPolicies().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cnp.Status.Conditions {
		if c.Type == controller.ConditionProgrammed {
			n++
		}
	}
	c := meta.FindStatusCondition(cnp.Status.Conditions, controller.ConditionProgrammed)
	switch {
	case c == nil || n != 1:
		t.Errorf("%s has %d %s conditions, want one: %+v", name, n, controller.ConditionProgrammed, cnp.Status)
	case c.Status != status || c.Reason != reason || c.ObservedGeneration != cnp.Generation:
		t.Errorf("%s: %s=%s reason %s observed generation %d (%q); want %s reason %s generation %d", name,
			c.Type, c.Status, c.Reason, c.ObservedGeneration, c.Message, status, reason, cnp.Generation)
	}
}
