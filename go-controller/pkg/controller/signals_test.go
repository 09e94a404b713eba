package controller_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// The error and drift counters exist from zero, so that a rate over them is defined before the first
// failure; the build-info and leader gauges are registered.
func TestMetricsPresentFromZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := controller.NewMetrics(reg)
	m.SetBuild("v0.0.0-test", "go1.26")
	for _, want := range []string{
		`tieracl_errors_total{stage="nb-write"} 0`, `tieracl_errors_total{stage="status"} 0`,
		`tieracl_drift_repaired_total{table="ACL"} 0`, `tieracl_leader 0`,
		`tieracl_build_info{goversion="go1.26",version="v0.0.0-test"} 1`, `tieracl_pods_without_port 0`,
	} {
		name := want[:strings.IndexAny(want, "{ ")]
		err := testutil.GatherAndCompare(reg, strings.NewReader(""), name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s is not exposed: %v", want, err)
		}
	}
}

// The queue-depth gauge returns to 0 once the worker has taken everything; the policies gauge counts
// policies by the reason of their condition.
func TestQueueDepthAndPoliciesByReason(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("ok", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))),
		testobj.ANP("bad", 20, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
			testobj.ANPEgressRule("", allow, nil, anpv1alpha1.AdminNetworkPolicyEgressPeer{
				DomainNames: []anpv1alpha1.DomainName{"example.com"}})))
	r := e.start()
	e.synced()
	e.put(testobj.Copy(e.snap.Pods[0], testobj.Relabel("app", "moved")))
	e.synced()
	e.eventually("queue depth 0", func() error {
		if v := testutil.ToFloat64(r.metrics.QueueDepth); v != 0 {
			return fmt.Errorf("tieracl_queue_depth = %v", v)
		}
		return nil
	})
	e.eventually("policies by reason", func() error {
		ok := testutil.ToFloat64(r.metrics.Policies.WithLabelValues(controller.ReasonProgrammed))
		bad := testutil.ToFloat64(r.metrics.Policies.WithLabelValues("FailClosed"))
		if ok != 1 || bad != 1 {
			return fmt.Errorf("tieracl_policies: Programmed %v, FailClosed %v; want 1 and 1", ok, bad)
		}
		return nil
	})
}

// A restarted controller does not record again the events an earlier run recorded: here the API holds
// the event of one ANP's problem already, and only the other ANP's event is recorded.
func TestEventsNotDuplicatedAcrossRestarts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	domains := anpv1alpha1.AdminNetworkPolicyEgressPeer{DomainNames: []anpv1alpha1.DomainName{"example.com"}}
	seen := testobj.ANP("seen", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPEgressRule("", allow, nil, domains))
	seen.UID = types.UID("uid-seen")
	fresh := testobj.ANP("fresh", 20, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPEgressRule("", allow, nil, domains))
	fresh.UID = types.UID("uid-fresh")
	e.put(seen, fresh)

	first := e.start()
	e.waitEvent(first, "FailClosed")
	first.stop()
	var message string
	for _, ev := range first.seen {
		if strings.Contains(ev, "FailClosed") {
			message = strings.SplitN(ev, " ", 3)[2]
		}
	}
	// The first run's recorder is a fake: write the event it stands for, as the real one does.
	_, err := e.kube.CoreV1().Events(metav1.NamespaceDefault).Create(e.ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "seen.1", Namespace: metav1.NamespaceDefault},
		InvolvedObject: corev1.ObjectReference{Kind: "AdminNetworkPolicy", Name: "seen", UID: seen.UID},
		Reason:         "FailClosed", Message: message, Type: corev1.EventTypeWarning,
		Source: corev1.EventSource{Component: controller.Component},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	second := e.start()
	e.eventually("the restarted controller's status pass is done", func() error {
		if n := testutil.ToFloat64(second.metrics.Policies.WithLabelValues("FailClosed")); n != 2 {
			return fmt.Errorf("tieracl_policies{reason=FailClosed} = %v", n)
		}
		return nil
	})
	if n := countContaining(second.drain(), "FailClosed"); n != 1 {
		t.Errorf("the restarted controller recorded %d FailClosed events, want 1 (for fresh only): %q", n, second.seen)
	}
}
