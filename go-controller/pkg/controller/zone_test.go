package controller_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// zoneNode is a node whose zone annotation is zone; "" leaves it unannotated.
func zoneNode(name, zone string) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if zone != "" {
		n.Annotations = map[string]string{controller.ZoneKey: zone}
	}
	return n
}

// In zone mode a pod is in its node's zone: a pod of this zone whose port NB lacks is a gap
// (Programmed=False PortsMissing, counted), as in central mode, while another zone's pod, or a pod
// without a node, is none. A port here of a pod whose node is in another zone stays in the port groups
// and is reported as a warning. A node that moves zones brings its pods' ports back to judgment.
func TestZoneModeKnowsPodsByNode(t *testing.T) {
	t.Parallel()
	snap := &cluster.Snapshot{
		Namespaces: []*corev1.Namespace{testobj.Namespace("a", testobj.Labels("team", "a")),
			testobj.Namespace("b", testobj.Labels("team", "b"))},
		Nodes: []*corev1.Node{zoneNode("n1", "az1"), zoneNode("n2", "az2"), zoneNode("n3", "")},
		Pods: []*corev1.Pod{pod("a", "web", 1, testobj.Labels("app", "web"), testobj.OnNode("n1")),
			pod("a", "db", 2, testobj.Labels("app", "db"), testobj.OnNode("n2")),
			pod("b", "client", 3, testobj.Labels("app", "client"), testobj.OnNode("n3"))},
	}
	e := newEnv(t, snap)
	e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	r := e.start(func(c *controller.Config) { c.Zone = "az1" })
	// Ports NB lacks: late1 is this zone's, late2 another zone's, late3 has no node yet.
	e.put(pod("a", "late1", 11, testobj.OnNode("n1")), pod("a", "late2", 12, testobj.OnNode("n2")), pod("a", "late3", 13))
	e.eventually("this zone's pod without its port is a gap; the port of another zone's pod is named", func() error {
		return e.anpReportSays("az1", "guard", metav1.ConditionFalse, controller.ReasonPortsMissing,
			"1 selected pods with IPs have no logical switch port", "a/late1 (port a_late1)",
			"1 selected pods have their logical switch port in this zone's NB", "a/db (port a_db)")
	})
	metrics := func(missing, foreign, nodes float64) error {
		for _, m := range []struct {
			name      string
			got, want float64
		}{
			{"tieracl_pods_without_port", testutil.ToFloat64(r.metrics.PodsWithoutPort), missing},
			{"tieracl_zone_ports_of_other_zones", testutil.ToFloat64(r.metrics.PortsOfOtherZones), foreign},
			{"tieracl_zone_nodes", testutil.ToFloat64(r.metrics.ZoneNodes), nodes},
		} {
			if m.got != m.want {
				return fmt.Errorf("%s = %v, want %v", m.name, m.got, m.want)
			}
		}
		return nil
	}
	e.eventually("the metrics count one gap and one port of another zone", func() error { return metrics(1, 1, 1) })
	uuid, err := e.bed.NBCtl(e.ctx, "--bare", "--columns=_uuid", "find", "logical_switch_port", "name=a_db")
	if err != nil || strings.TrimSpace(uuid) == "" {
		t.Fatalf("port a_db: %q, %v", uuid, err)
	}
	_, pgs, _ := e.rows(ownedByPolicy("AdminNetworkPolicy", "guard"))
	inGroup := func(pg *nbdb.PortGroup) bool { return slices.Contains(pg.Ports, strings.TrimSpace(uuid)) }
	if !slices.ContainsFunc(pgs, inGroup) {
		t.Error("the port of a pod whose node is in another zone left the policy's port group; it must stay")
	}

	e.put(zoneNode("n2", "az1"))
	e.eventually("n2 moved into az1: its pod without a port is a gap, its port here no stray", func() error {
		if err := metrics(2, 0, 2); err != nil {
			return err
		}
		return e.anpReportSays("az1", "guard", metav1.ConditionFalse, controller.ReasonPortsMissing,
			"2 selected pods", "a/late1 (port a_late1)", "a/late2 (port a_late2)")
	})
	for _, port := range []string{"a_late1", "a_late2"} {
		if _, err := e.bed.NBCtl(e.ctx, "lsp-add", ovnsandbox.SwitchName, port); err != nil {
			t.Fatal(err)
		}
	}
	e.eventually("no gap once the ports are there", func() error {
		if err := metrics(0, 0, 2); err != nil {
			return err
		}
		return e.anpReportSays("az1", "guard", metav1.ConditionTrue, controller.ReasonProgrammed)
	})
}

// With no node in its zone (a wrong --zone, or nodes not annotated yet), no pod is the zone's, so no gap
// can be reported: tieracl_zone_nodes says 0. The first node annotated into the zone brings its pods'
// missing ports in as gaps.
func TestZoneWithoutNodes(t *testing.T) {
	t.Parallel()
	snap := &cluster.Snapshot{
		Namespaces: []*corev1.Namespace{testobj.Namespace("a", testobj.Labels("team", "a"))},
		Nodes:      []*corev1.Node{zoneNode("n1", ""), zoneNode("n2", "az2")},
		Pods:       []*corev1.Pod{pod("a", "web", 1, testobj.Labels("app", "web"), testobj.OnNode("n1"))},
	}
	e := newEnv(t, snap)
	e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "a"), testobj.Sel()))))
	r := e.start(func(c *controller.Config) { c.Zone = "az1" })
	e.put(pod("a", "late", 11, testobj.OnNode("n1")))
	e.synced()
	if n := testutil.ToFloat64(r.metrics.ZoneNodes); n != 0 {
		t.Errorf("tieracl_zone_nodes = %v with no node in az1, want 0", n)
	}
	if n := testutil.ToFloat64(r.metrics.PodsWithoutPort); n != 0 {
		t.Errorf("tieracl_pods_without_port = %v with no node in az1, want 0", n)
	}
	e.put(zoneNode("n1", "az1"))
	e.eventually("n1 annotated into az1: its pod without a port is a gap", func() error {
		if n := testutil.ToFloat64(r.metrics.ZoneNodes); n != 1 {
			return fmt.Errorf("tieracl_zone_nodes = %v, want 1", n)
		}
		return e.anpReportSays("az1", "guard", metav1.ConditionFalse, controller.ReasonPortsMissing,
			"1 selected pods", "a/late (port a_late)")
	})
}

// A port of another zone's pod stops counting once no policy selects the pod.
func TestZonePortOfOtherZoneForgotten(t *testing.T) {
	t.Parallel()
	snap := &cluster.Snapshot{
		Namespaces: []*corev1.Namespace{testobj.Namespace("a", testobj.Labels("team", "a"))},
		Nodes:      []*corev1.Node{zoneNode("n1", "az1"), zoneNode("n2", "az2")},
		Pods: []*corev1.Pod{pod("a", "web", 1, testobj.Labels("app", "web"), testobj.OnNode("n1")),
			pod("a", "db", 2, testobj.Labels("app", "db"), testobj.OnNode("n2"))},
	}
	e := newEnv(t, snap)
	guard := testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "a"), testobj.Sel())))
	e.put(guard)
	r := e.start(func(c *controller.Config) { c.Zone = "az1" })
	e.eventually("a/db's port here counts", func() error {
		if n := testutil.ToFloat64(r.metrics.PortsOfOtherZones); n != 1 {
			return fmt.Errorf("tieracl_zone_ports_of_other_zones = %v, want 1", n)
		}
		return e.anpReportSays("az1", "guard", metav1.ConditionTrue, controller.ReasonPortsOfOtherZones, "a/db (port a_db)")
	})
	e.del(guard)
	e.eventually("no policy selects a/db any more", func() error {
		if n := testutil.ToFloat64(r.metrics.PortsOfOtherZones); n != 0 {
			return fmt.Errorf("tieracl_zone_ports_of_other_zones = %v, want 0", n)
		}
		return nil
	})
}
