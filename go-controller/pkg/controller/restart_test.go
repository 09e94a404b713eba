package controller_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

// policies is a mix of every kind over the world, with a pod that has no logical switch port.
func (e *env) putPolicies() {
	e.t.Helper()
	e.put(
		anp("guard", 10, podsIn(sel("team=a"), sel("app=web")), ingress(deny, fromPods(sel("team=b"), sel("app=client")))),
		anp("pass-c", 20, podsIn(sel("team=c"), sel()), egress(pass, toPods(sel(), sel("app=db")))),
		banp(podsIn(sel(), sel()), anpv1alpha1.BaselineAdminNetworkPolicyRuleActionDeny, fromPods(sel("team=c"), sel())),
		netpol("a", "np", sel("app=db"), sel("app=web")),
		pod("a", "noport", 9, "app=web"), // no logical switch port: NB cannot list it
	)
}

// A controller started on an NB that already holds the desired state (and rows of others, some looking
// like tieracl's) writes nothing, not even status, and becomes ready.
func TestRestartOnUnchangedNBWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.putPolicies()
	foreign := e.addForeignRows()
	first := e.start()
	e.synced()
	if got := ops(first.metrics)["create"]; got == 0 {
		t.Fatalf("the first controller created nothing")
	}
	if testutil.ToFloat64(first.metrics.StatusWrites) == 0 {
		t.Fatalf("the first controller wrote no status")
	}
	first.stop()

	second := e.start()
	for kind, n := range ops(second.metrics) {
		if n != 0 {
			t.Errorf("the second controller wrote %v %s operations", n, kind)
		}
	}
	if n := testutil.ToFloat64(second.metrics.StatusWrites); n != 0 {
		t.Errorf("the second controller wrote %v status updates", n)
	}
	e.synced()
	if now := e.foreignRows(); now != foreign {
		t.Errorf("foreign rows changed:\nbefore:\n%s\nafter:\n%s", foreign, now)
	}
}

// What changed while no controller ran is written by the next one: rows of policies deleted meanwhile
// are gone, updated policies and moved pods are programmed.
func TestChangesWhileStoppedAreWrittenAtStart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.putPolicies()
	first := e.start()
	e.synced()
	first.stop()

	gone := e.snap.ANPs[0]
	if gone.Name != "guard" || len(e.ownedBy("AdminNetworkPolicy", "guard")) == 0 {
		t.Fatalf("guard is not programmed")
	}
	e.del(gone, e.snap.BANPs[0], e.snap.NetworkPolicies[0])
	e.put(anp("pass-c", 20, podsIn(sel("team=c"), sel()), egress(deny, toPods(sel(), sel("app=client")))))
	e.put(relabeledPod(e.snap.Pods[1], "app=web"))
	e.notSynced()

	e.start()
	e.synced()
	for _, owner := range [][2]string{{"AdminNetworkPolicy", "guard"}, {"BaselineAdminNetworkPolicy", "default"},
		{"NetworkPolicy", "a/np"}} {
		if rows := e.ownedBy(owner[0], owner[1]); len(rows) != 0 {
			t.Errorf("rows of the deleted %s remain: %v", owner[1], rows)
		}
	}
}
