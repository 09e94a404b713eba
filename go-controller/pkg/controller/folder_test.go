package controller_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/record"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npfake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
)

// These tests fold zone reports one step at a time on fake clientsets, with a clock of their own: no
// sleeps.

const (
	foldLease = 10 * time.Second
	foldGrace = 5 * time.Second
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type folding struct {
	t       *testing.T
	ctx     context.Context
	kube    *kubefake.Clientset
	policy  *npfake.Clientset
	f       *controller.Folder
	clock   *clock
	events  *record.FakeRecorder
	metrics *controller.Metrics
}

// newFolding starts a folder over one ClusterNetworkPolicy "c1" of generation 1.
func newFolding(t *testing.T) *folding {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	cnp := &cnpv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "c1", Generation: 1}}
	np := &networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "ns1", Name: "np1", Generation: 1}}
	kube, policy := fakeClientsets(&cluster.Snapshot{CNPs: []*cnpv1beta1.ClusterNetworkPolicy{cnp},
		NetworkPolicies: []*networkingv1.NetworkPolicy{np}})
	watches := watchesOf(kube, policy)
	x := &folding{t: t, ctx: ctx, kube: kube, policy: policy, clock: &clock{now: time.Unix(1e9, 0)},
		events: record.NewFakeRecorder(100), metrics: controller.NewMetrics(nil)}
	var err error
	x.f, err = controller.NewFolder(controller.FolderConfig{Kube: kube, Policy: policy, Namespace: "tieracl",
		LeasePrefix: "tieracl-controller", LeaseDuration: foldLease, Grace: foldGrace, Recorder: x.events,
		Metrics: x.metrics, Now: x.clock.Now, Unserved: map[controller.Kind]bool{controller.KindANP: true,
			controller.KindBANP: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.f.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for _, resource := range []string{"configmaps", "leases", "clusternetworkpolicies"} {
		select {
		case <-watches(resource):
		case <-ctx.Done():
			t.Fatalf("no watch of %s opened", resource)
		}
	}
	return x
}

// lease writes the zone's Lease as renewed now by holder ("" for released).
func (x *folding) lease(zone, holder string) {
	x.t.Helper()
	renew := metav1.NewMicroTime(x.clock.Now())
	l := &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Namespace: "tieracl", Name: "tieracl-controller-" + zone},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &holder, RenewTime: &renew}}
	leases := x.kube.CoordinationV1().Leases("tieracl")
	if _, err := leases.Update(x.ctx, l, metav1.UpdateOptions{}); apierrors.IsNotFound(err) {
		_, err = leases.Create(x.ctx, l, metav1.CreateOptions{})
		if err != nil {
			x.t.Fatal(err)
		}
	} else if err != nil {
		x.t.Fatal(err)
	}
	x.waitCached("leases", l.Name, func(obj any) bool {
		got := obj.(*coordinationv1.Lease)
		return got.Spec.RenewTime.Equal(&renew) && *got.Spec.HolderIdentity == holder
	})
}

// report writes the zone's report with c1 at gen, status and reason.
func (x *folding) report(zone string, gen int64, status metav1.ConditionStatus, reason, msg string) {
	x.t.Helper()
	x.reportOf(zone, "ClusterNetworkPolicy.c1", gen, status, reason, msg)
}

// reportOf writes the zone's report with the one entry.
func (x *folding) reportOf(zone, key string, gen int64, status metav1.ConditionStatus, reason, msg string) {
	x.t.Helper()
	raw, err := json.Marshal(map[string]any{"generation": gen, "status": status, "reason": reason, "message": msg})
	if err != nil {
		x.t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "tieracl", Name: controller.ZoneReportName(zone),
		Labels: map[string]string{controller.LabelZoneReport: "true"}, Annotations: map[string]string{
			controller.AnnotationZone: zone}}, Data: map[string]string{key: string(raw)}}
	cms := x.kube.CoreV1().ConfigMaps("tieracl")
	if _, err := cms.Update(x.ctx, cm, metav1.UpdateOptions{}); apierrors.IsNotFound(err) {
		if _, err := cms.Create(x.ctx, cm, metav1.CreateOptions{}); err != nil {
			x.t.Fatal(err)
		}
	} else if err != nil {
		x.t.Fatal(err)
	}
	x.waitCached("configmaps", cm.Name, func(obj any) bool {
		return obj.(*corev1.ConfigMap).Data[key] == string(raw)
	})
}

func (x *folding) waitCached(resource, name string, cond func(any) bool) {
	x.t.Helper()
	err := x.f.WaitCached(x.ctx, func() bool {
		obj, ok := x.f.Cached(resource, name)
		return ok && cond(obj)
	})
	if err != nil {
		x.t.Fatalf("%s %s never cached as wanted: %v", resource, name, err)
	}
}

// step folds once and checks the condition c1 then holds and how many status writes it took.
func (x *folding) step(writes int, status metav1.ConditionStatus, reason string, msg ...string) {
	x.t.Helper()
	before := testutil.ToFloat64(x.metrics.StatusWrites)
	if err := x.f.Step(x.ctx); err != nil {
		x.t.Fatalf("fold: %v", err)
	}
	if got := testutil.ToFloat64(x.metrics.StatusWrites) - before; got != float64(writes) {
		x.t.Errorf("fold wrote %v statuses, want %d", got, writes)
	}
	cnp, err := x.policy.PolicyV1beta1().ClusterNetworkPolicies().Get(x.ctx, "c1", metav1.GetOptions{})
	if err != nil {
		x.t.Fatal(err)
	}
	var cond *metav1.Condition
	for i := range cnp.Status.Conditions {
		if cnp.Status.Conditions[i].Type == controller.ConditionProgrammed {
			cond = &cnp.Status.Conditions[i]
		}
	}
	if len(cnp.Status.Conditions) != 1 || cond == nil {
		x.t.Fatalf("conditions %v, want one Programmed", cnp.Status.Conditions)
	}
	if cond.Status != status || cond.Reason != reason || cond.ObservedGeneration != cnp.Generation {
		x.t.Errorf("condition %s/%s gen %d (%s), want %s/%s gen %d", cond.Status, cond.Reason, cond.ObservedGeneration,
			cond.Message, status, reason, cnp.Generation)
	}
	for _, m := range msg {
		if !strings.Contains(cond.Message, m) {
			x.t.Errorf("message %q lacks %q", cond.Message, m)
		}
	}
	// The fold sees its own write only through its informer: wait for it, so the next step starts from it.
	x.waitCached(string(controller.KindCNP), "c1", func(obj any) bool {
		c := obj.(*cnpv1beta1.ClusterNetworkPolicy)
		return len(c.Status.Conditions) == 1 && c.Status.Conditions[0].Message == cond.Message
	})
}

// oneZoneTrue makes az1 live and reporting c1 True, and folds that.
func (x *folding) oneZoneTrue() {
	x.t.Helper()
	x.lease("az1", "a")
	x.report("az1", 1, metav1.ConditionTrue, controller.ReasonProgrammed, "programmed in OVN")
	x.step(1, metav1.ConditionTrue, controller.ReasonProgrammed)
}

func (x *folding) wantPruned(n float64) {
	x.t.Helper()
	if got := testutil.ToFloat64(x.metrics.ZoneReportsPruned); got != n {
		x.t.Errorf("tieracl_zone_reports_pruned_total = %v, want %v", got, n)
	}
}

func (x *folding) wantEvents(want ...string) {
	x.t.Helper()
	var got []string
	for {
		select {
		case e := <-x.events.Events:
			got = append(got, e)
			continue
		default:
		}
		break
	}
	if len(got) != len(want) {
		x.t.Fatalf("events %q, want %d like %q", got, len(want), want)
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			x.t.Errorf("event %q, want it to start %q", got[i], w)
		}
	}
}

// The folder's whole story for one policy in two zones: one condition True while both zones report
// True, False naming the zone that lacks a port (one event), Pending on a new generation, a zone pruned
// once its Lease expired plus the grace, and no write whenever nothing changed.
func TestFolderFoldsZoneReports(t *testing.T) {
	t.Parallel()
	x := newFolding(t)
	x.step(1, metav1.ConditionFalse, controller.ReasonNoZones)

	x.lease("az1", "a")
	x.lease("az2", "b")
	x.step(1, metav1.ConditionFalse, controller.ReasonPending, "Pending in 2 of 2 zones (az1, az2)")
	x.report("az1", 1, metav1.ConditionTrue, controller.ReasonProgrammed, "programmed in OVN")
	x.report("az2", 1, metav1.ConditionTrue, controller.ReasonProgrammed, "programmed in OVN")
	x.step(1, metav1.ConditionTrue, controller.ReasonProgrammed, "every zone (2 live)")
	x.step(0, metav1.ConditionTrue, controller.ReasonProgrammed)
	x.wantEvents()
	if n := testutil.ToFloat64(x.metrics.ZonesLive); n != 2 {
		t.Errorf("tieracl_zones_live = %v, want 2", n)
	}

	x.report("az2", 1, metav1.ConditionFalse, controller.ReasonPortsMissing, "1 selected pods with IPs have no port")
	x.step(1, metav1.ConditionFalse, controller.ReasonPortsMissing,
		"PortsMissing in 1 of 2 zones (az2): 1 selected pods with IPs have no port")
	x.step(0, metav1.ConditionFalse, controller.ReasonPortsMissing)
	x.wantEvents("Warning PortsMissing PortsMissing in 1 of 2 zones (az2)")

	cnp, err := x.policy.PolicyV1beta1().ClusterNetworkPolicies().Get(x.ctx, "c1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cnp.Spec.Priority++ // a spec change: the fake bumps the generation, as the API server does
	if _, err := x.policy.PolicyV1beta1().ClusterNetworkPolicies().Update(x.ctx, cnp,
		metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	x.waitCached(string(controller.KindCNP), "c1", func(obj any) bool {
		return obj.(*cnpv1beta1.ClusterNetworkPolicy).Generation == 2
	})
	x.report("az1", 2, metav1.ConditionTrue, controller.ReasonProgrammed, "programmed in OVN")
	x.step(1, metav1.ConditionFalse, controller.ReasonPending, "Pending in 1 of 2 zones (az2)",
		"programmed generation 1, not 2")

	// az1 renews its Lease, az2 does not: az2 counts until its Lease expired plus the grace.
	x.clock.add(foldLease)
	x.lease("az1", "a")
	x.step(0, metav1.ConditionFalse, controller.ReasonPending)
	if n := testutil.ToFloat64(x.metrics.ZonesLive); n != 1 {
		t.Errorf("tieracl_zones_live = %v, want 1", n)
	}
	if next, want := x.f.NextCheck(), x.clock.Now().Add(foldGrace); !next.Equal(want) {
		t.Errorf("next check at %v, want %v (az2's grace ends)", next, want)
	}
	x.clock.add(foldGrace)
	x.step(1, metav1.ConditionTrue, controller.ReasonProgrammed, "every zone (1 live)")
	if _, err := x.kube.CoreV1().ConfigMaps("tieracl").Get(x.ctx, controller.ZoneReportName("az2"),
		metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("az2's report after its grace: %v, want it pruned", err)
	}
	if n := testutil.ToFloat64(x.metrics.ZoneReportsPruned); n != 1 {
		t.Errorf("tieracl_zone_reports_pruned_total = %v, want 1", n)
	}
	x.waitCached("configmaps", controller.ZoneReportName("az1"), func(any) bool {
		_, ok := x.f.Cached("configmaps", controller.ZoneReportName("az2"))
		return !ok
	})
	x.step(0, metav1.ConditionTrue, controller.ReasonProgrammed)
	if n := testutil.ToFloat64(x.metrics.ZoneReportsPruned); n != 1 {
		t.Errorf("tieracl_zone_reports_pruned_total = %v after the next fold, want still 1", n)
	}
	x.wantEvents()

	// A zone that takes its Lease again counts again, Pending until it reports.
	x.lease("az2", "b2")
	x.step(1, metav1.ConditionFalse, controller.ReasonPending, "Pending in 1 of 2 zones (az2)")
}

// A released Lease (no holder) does not keep its zone alive: the zone counts only for the rest of its
// time since the last renewal seen.
func TestFolderReleasedLease(t *testing.T) {
	t.Parallel()
	x := newFolding(t)
	x.oneZoneTrue()
	x.clock.add(foldLease)
	x.lease("az1", "")
	x.step(0, metav1.ConditionTrue, controller.ReasonProgrammed)
	x.clock.add(foldGrace)
	x.step(1, metav1.ConditionFalse, controller.ReasonNoZones)
	x.wantPruned(1)
}

// Before it prunes a report the folder reads the zone's Lease from the API server itself: a renewal its
// cache missed (a watch that was down) keeps the zone counted.
func TestFolderConfirmsBeforePruning(t *testing.T) {
	t.Parallel()
	x := newFolding(t)
	x.oneZoneTrue()
	x.clock.add(foldLease + foldGrace)
	x.kube.PrependReactor("get", "leases", func(k8stesting.Action) (bool, runtime.Object, error) {
		holder, renew := "a", metav1.NewMicroTime(x.clock.Now())
		return true, &coordinationv1.Lease{
			ObjectMeta: metav1.ObjectMeta{Namespace: "tieracl", Name: "tieracl-controller-az1"},
			Spec:       coordinationv1.LeaseSpec{HolderIdentity: &holder, RenewTime: &renew}}, nil
	})
	x.step(0, metav1.ConditionTrue, controller.ReasonProgrammed)
	x.wantPruned(0) // the Lease was renewed
}

// A NetworkPolicy has no status, but the problems the zones report for it get one event from the folder.
func TestFolderNetworkPolicyEvents(t *testing.T) {
	t.Parallel()
	x := newFolding(t)
	x.lease("az1", "a")
	x.lease("az2", "b")
	x.reportOf("az1", "NetworkPolicy.ns1.np1", 1, metav1.ConditionFalse, "FailClosed", "bad CIDR")
	x.reportOf("az2", "NetworkPolicy.ns1.np1", 1, metav1.ConditionFalse, "FailClosed", "bad CIDR")
	if err := x.f.Step(x.ctx); err != nil {
		t.Fatal(err)
	}
	x.wantEvents("Warning FailClosed FailClosed in 2 of 2 zones (az1, az2): bad CIDR")
	if err := x.f.Step(x.ctx); err != nil {
		t.Fatal(err)
	}
	x.wantEvents()
}
