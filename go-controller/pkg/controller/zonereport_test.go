package controller_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// In zone mode the controller writes its zone's report, not the policy's condition, and only when the
// report changes or a resync finds it changed in the API; a selected pod on a node of this zone without
// its port is this zone's gap, one on a node of another zone is not.
func TestZoneModeWritesItsReport(t *testing.T) {
	t.Parallel()
	snap := world()
	snap.ANPs = append(snap.ANPs, testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	node := func(name, zone string) *corev1.Node {
		return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name,
			Annotations: map[string]string{controller.ZoneKey: zone}}}
	}
	snap.Nodes = []*corev1.Node{node("n1", "az1"), node("n2", "az2")}
	s := newStepper(t, snap, func(c *controller.Config) { c.Zone, c.ReportNamespace = "az1", "tieracl" })
	report := func() map[string]any {
		t.Helper()
		cm, err := s.kube.CoreV1().ConfigMaps("tieracl").Get(s.ctx, controller.ZoneReportName("az1"),
			metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cm.Labels[controller.LabelZoneReport] != "true" || cm.Annotations[controller.AnnotationZone] != "az1" {
			t.Errorf("report labels %v annotations %v", cm.Labels, cm.Annotations)
		}
		var r map[string]any
		if err := json.Unmarshal([]byte(cm.Data["AdminNetworkPolicy.guard"]), &r); err != nil {
			t.Fatalf("report %v: %v", cm.Data, err)
		}
		return r
	}
	writes := func(want float64) {
		t.Helper()
		if n := testutil.ToFloat64(s.metrics.StatusWrites); n != want {
			t.Errorf("%v status writes, want %v", n, want)
		}
	}
	s.step(nil)
	if r := report(); r["status"] != "True" || r["reason"] != controller.ReasonProgrammed {
		t.Errorf("report %v, want True Programmed", r)
	}
	writes(1)
	got, err := s.policy.PolicyV1alpha1().AdminNetworkPolicies().Get(s.ctx, "guard", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Conditions) != 0 {
		t.Errorf("zone mode wrote conditions %v; the folder writes them", got.Status.Conditions)
	}
	s.c.Resync()
	s.step(nil)
	writes(1) // the same report: nothing written
	err = s.kube.CoreV1().ConfigMaps("tieracl").Delete(s.ctx, controller.ZoneReportName("az1"), metav1.DeleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.c.Resync()
	s.step(nil)
	writes(2) // someone deleted it: a resync writes it again
	report()

	far := pod("a", "far", 8, testobj.Labels("app", "web"))
	far.Spec.NodeName = "n2"
	s.put(far)
	s.waitPodLabels("a", "far", far.Labels)
	s.step(nil)
	writes(2) // another zone's pod: no gap here

	late := pod("a", "late", 9, testobj.Labels("app", "web"))
	late.Spec.NodeName = "n1"
	s.put(late)
	s.waitPodLabels("a", "late", late.Labels)
	s.step(nil)
	r := report()
	msg, _ := r["message"].(string)
	if r["status"] != "False" || r["reason"] != controller.ReasonPortsMissing ||
		!strings.Contains(msg, "a/late (port a_late)") || strings.Contains(msg, "a/far") {
		t.Errorf("report %v, want False PortsMissing naming a/late only", r)
	}
	writes(3)
}

// anpReportSays checks the ANP's entry in the zone's report, as anpConditionSays checks the condition in
// central mode: its status, reason and a message holding every text.
func (e *env) anpReportSays(zone, name string, status metav1.ConditionStatus, reason string, texts ...string) error {
	cm, err := e.kube.CoreV1().ConfigMaps("tieracl").Get(e.ctx, controller.ZoneReportName(zone), metav1.GetOptions{})
	if err != nil {
		return err
	}
	var r struct {
		Status  metav1.ConditionStatus
		Reason  string
		Message string
	}
	if err := json.Unmarshal([]byte(cm.Data["AdminNetworkPolicy."+name]), &r); err != nil {
		return fmt.Errorf("report of ANP %s in zone %s: %w", name, zone, err)
	}
	if r.Status != status || r.Reason != reason {
		return fmt.Errorf("zone %s reports ANP %s %s/%s (%s), want %s/%s", zone, name, r.Status, r.Reason, r.Message,
			status, reason)
	}
	for _, text := range texts {
		if !strings.Contains(r.Message, text) {
			return fmt.Errorf("report message %q lacks %q", r.Message, text)
		}
	}
	return nil
}
