package controller_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// policies is a mix of every kind over the world, with a pod that has no logical switch port.
func (e *env) putPolicies() {
	e.t.Helper()
	e.put(
		testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
			testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel("app", "client")))),
		testobj.ANP("pass-c", 20, testobj.SubjectPods(testobj.Sel("team", "c"), testobj.Sel()),
			testobj.ANPEgressRule("", pass, nil, testobj.ToPods(testobj.Sel(), testobj.Sel("app", "db")))),
		testobj.BANP(testobj.SubjectPods(testobj.Sel(), testobj.Sel()),
			testobj.BANPIngressRule("", anpv1alpha1.BaselineAdminNetworkPolicyRuleActionDeny, nil,
				testobj.FromPods(testobj.Sel("team", "c"), testobj.Sel()))),
		testobj.NetworkPolicy("a", "np", testobj.Sel("app", "db"),
			testobj.NPIngress(testobj.NPPeer(nil, testobj.Sel("app", "web")))),
		pod("a", "noport", 9, testobj.Labels("app", "web")), // no logical switch port: NB cannot list it
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
	e.put(testobj.ANP("pass-c", 20, testobj.SubjectPods(testobj.Sel("team", "c"), testobj.Sel()),
		testobj.ANPEgressRule("", deny, nil, testobj.ToPods(testobj.Sel(), testobj.Sel("app", "client")))))
	e.put(testobj.Copy(e.snap.Pods[1], testobj.Relabel("app", "web")))
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
