package controller_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// Each ANP gets the Programmed condition its compiled form calls for, a Warning event per problem, and
// rows unless it is rejected whole.
func TestStatusConditionAndEvents(t *testing.T) {
	t.Parallel()
	webInA := testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web"))
	badSelector := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: "In"}}}
	domains := anpv1alpha1.AdminNetworkPolicyEgressPeer{DomainNames: []anpv1alpha1.DomainName{"example.com"}}
	cases := []struct {
		name   string
		anp    *anpv1alpha1.AdminNetworkPolicy
		status metav1.ConditionStatus
		reason string // also the event's reason, unless Programmed
		rows   bool   // programmed at least in part
	}{
		{"programmed", testobj.ANP("p", 10, webInA,
			testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))),
			metav1.ConditionTrue, controller.ReasonProgrammed, true},
		{"domainNames peer in an Allow rule fails closed",
			testobj.ANP("p", 10, webInA, testobj.ANPEgressRule("", allow, nil, domains)),
			metav1.ConditionFalse, "FailClosed", true},
		{"invalid peer selector in a Deny rule fails closed",
			testobj.ANP("p", 10, webInA, testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel(), badSelector))),
			metav1.ConditionFalse, "FailClosed", true},
		{"invalid subject selector", testobj.ANP("p", 10, testobj.SubjectPods(testobj.Sel(), badSelector),
			testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel(), testobj.Sel()))),
			metav1.ConditionFalse, "InvalidSubject", false},
		{"priority out of range", testobj.ANP("p", 1001, webInA,
			testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel(), testobj.Sel()))),
			metav1.ConditionFalse, "InvalidPriority", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, world())
			e.put(tc.anp)
			r := e.start()
			e.synced()
			e.eventually("condition", func() error { return e.anpCondition("p", tc.status, tc.reason) })
			if got := len(e.ownedBy("AdminNetworkPolicy", "p")) > 0; got != tc.rows {
				t.Errorf("has rows: %v, want %v", got, tc.rows)
			}
			if tc.reason == controller.ReasonProgrammed {
				if r.hasEvent("Warning") {
					t.Errorf("warning events for a policy without problems: %q", r.seen)
				}
				return
			}
			e.waitEvent(r, "Warning "+tc.reason+" ")
		})
	}
}

// Two ANPs with one priority both say PriorityConflict, with a Warning event; when one goes the other is
// Programmed again. A spec change is reported with its generation.
func TestStatusFollowsChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	first := testobj.ANP("first", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel())))
	second := testobj.ANP("second", 10, testobj.SubjectPods(testobj.Sel("team", "c"), testobj.Sel()),
		testobj.ANPEgressRule("", deny, nil, testobj.ToPods(testobj.Sel("team", "b"), testobj.Sel())))
	e.put(first, second)
	r := e.start(func(c *controller.Config) { c.ResyncInterval = 100 * time.Millisecond })
	e.synced()
	for _, name := range []string{"first", "second"} {
		e.eventually(name+" conflicts",
			func() error { return e.anpCondition(name, metav1.ConditionTrue, "PriorityConflict") })
	}
	e.waitEvent(r, "Warning PriorityConflict ")

	e.put(testobj.ANP("second", 11, testobj.SubjectPods(testobj.Sel("team", "c"), testobj.Sel()),
		testobj.ANPEgressRule("", deny, nil, testobj.ToPods(testobj.Sel("team", "b"), testobj.Sel()))))
	e.synced()
	for _, name := range []string{"first", "second"} {
		e.eventually(name+" is programmed",
			func() error { return e.anpCondition(name, metav1.ConditionTrue, controller.ReasonProgrammed) })
	}
	e.eventually("second's condition has its new generation", func() error { return e.observedGeneration("second", 1) })

	if writes := testutil.ToFloat64(r.metrics.StatusWrites); writes < 4 {
		t.Fatalf("%v status writes so far, want at least 4", writes)
	}
	// That writes which would change nothing are skipped is TestStepStatusFollowsWrites's to prove, batch
	// by batch, with no wait for "nothing happened".
}

// observedGeneration checks the ANP's generation and its Programmed condition's observedGeneration.
func (e *env) observedGeneration(name string, want int64) error {
	a, err := e.policy.PolicyV1alpha1().AdminNetworkPolicies().Get(e.ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, c := range a.Status.Conditions {
		if c.Type == controller.ConditionProgrammed {
			if a.Generation != want || c.ObservedGeneration != want {
				return fmt.Errorf("generation %d, observed %d, want %d", a.Generation, c.ObservedGeneration, want)
			}
			return nil
		}
	}
	return fmt.Errorf("%s has no condition", name)
}

// A status write that loses a race with another writer (409 Conflict) is written again once the
// informer has the newer object, even though that change (a label) needs no new translation.
func TestStatusWriteConflictIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("p", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	var conflicted atomic.Bool
	e.policy.PrependReactor("update", "adminnetworkpolicies", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "status" || conflicted.Swap(true) {
			return false, nil, nil
		}
		// Someone else writes the object first.
		cur, err := e.policy.Tracker().Get(a.GetResource(), "", "p")
		if err != nil {
			return true, nil, err
		}
		touched := cur.(*anpv1alpha1.AdminNetworkPolicy).DeepCopy()
		touched.Labels = map[string]string{"touched": "yes"}
		if err := e.policy.Tracker().Update(a.GetResource(), touched, ""); err != nil {
			return true, nil, err
		}
		return true, nil, apierrors.NewConflict(a.GetResource().GroupResource(), "p",
			errors.New("the object has been modified"))
	})
	e.start()
	e.synced()
	e.eventually("the condition is written", func() error {
		return e.anpCondition("p", metav1.ConditionTrue, controller.ReasonProgrammed)
	})
	if !conflicted.Load() {
		t.Fatal("no conflict was injected")
	}
}
