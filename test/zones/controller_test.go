package zones

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	npfake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// TestZoneModeControllers runs one tieracl controller per zone with --zone, each writing only its own
// zone's NB, and checks with real packets that cross-zone connections are allowed or dropped exactly as
// the examples' policy tests say; no controller counts the other zone's pods as lacking ports, and a
// controller refuses an NB of another zone.
func TestZoneModeControllers(t *testing.T) {
	for _, example := range []string{"cnp/09-story4-tenant-isolation", "cnp/13-blog-ex3-egress-peers"} {
		t.Run(example, func(t *testing.T) { testZoneMode(t, "../../examples/"+example+"/test.yaml") })
	}
}

func testZoneMode(t *testing.T, path string) {
	suite, err := policytest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ev, err := NewEvaluatorWithoutRows(ctx, suite.Snapshot, bedOptions(t, ctx))
	if err != nil {
		t.Fatalf("NewEvaluatorWithoutRows: %v", err)
	}
	closeOnCleanup(t, ev)
	zones := ev.Bed().Zones
	if err := controller.CheckZone(ctx, connect(t, ctx, zones[1]), zones[0].Name); err == nil ||
		!strings.Contains(err.Error(), `this NB is zone "az2"`) {
		t.Errorf("CheckZone of az1 against az2's NB: %v, want a refusal naming az2", err)
	}
	kube, policy := fakeClients(zonedNodes(suite.Snapshot, ev.place, zones))
	state := translate.Translate(suite.Snapshot, translate.Options{}).State
	foreign := 0
	metrics := make([]*controller.Metrics, len(zones))
	for i, z := range zones {
		nb := connect(t, ctx, z)
		if err := controller.CheckZone(ctx, nb, z.Name); err != nil {
			t.Fatal(err)
		}
		metrics[i] = controller.NewMetrics(nil)
		c, err := controller.New(controller.Config{Kube: kube, Policy: policy, NB: nbsync.NewConn(nb), Metrics: metrics[i],
			Zone: z.Name, RetryInterval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- c.Run(runCtx) }()
		t.Cleanup(func() {
			stop()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("zone %s controller: %v", z.Name, err)
			}
		})
		if err := waitRows(ctx, z, c, len(state.ACLs)); err != nil {
			t.Fatalf("zone %s: %v", z.Name, err)
		}
		for _, m := range []struct {
			name      string
			got, want float64
		}{
			{"pods without port (another zone's pods are none)", testutil.ToFloat64(metrics[i].PodsWithoutPort), 0},
			{"ports of other zones' pods", testutil.ToFloat64(metrics[i].PortsOfOtherZones), 0},
			{"nodes in the zone", testutil.ToFloat64(metrics[i].ZoneNodes), float64(ev.place.nodesIn(i))},
		} {
			if m.got != m.want {
				t.Errorf("zone %s: %s = %v, want %v", z.Name, m.name, m.got, m.want)
			}
		}
		foreign += ev.foreignMembers(&state, i)
	}
	if foreign == 0 {
		t.Fatal("no policy selects pods of both zones: the example proves nothing about zone mode")
	}
	results := policytest.Run(ev, suite)
	crossed := 0
	for _, r := range results {
		if ev.CrossZone(r.Flow) {
			crossed++
		}
		if !r.Pass && (r.Probe.Protocol != "SCTP" || !r.NotJudged()) {
			t.Errorf("probes[%d] %s -> %s %s/%s: expected %s, got %s: %v", r.Index, r.Probe.From, r.Probe.To,
				r.Probe.Protocol, r.Probe.Port.String(), r.Probe.Expect, r.Got(), r.Err)
		}
	}
	if crossed == 0 {
		t.Error("no probe crossed the zones")
	}
	t.Logf("%d probes, %d across zones; %d port group members left to the other zone", len(results), crossed, foreign)
	checkLostPort(t, ctx, ev, &state, metrics)
}

// checkLostPort deletes, from its zone's NB, the port of a pod a policy selects: that zone's controller
// must count it as missing (its node says it is this zone's), the others must not.
func checkLostPort(t *testing.T, ctx context.Context, ev *Evaluator, state *nbrows.State,
	metrics []*controller.Metrics) {
	podOf := map[string]*corev1.Pod{}
	for _, pod := range ev.pods {
		if p, ok := ovnsandbox.PodPort(pod); ok {
			podOf[p.Name] = pod
		}
	}
	port, zone := "", 0
	for _, pg := range state.PortGroups {
		for _, p := range pg.Ports {
			if pod, ok := podOf[p]; ok && port == "" && len(cluster.PodIPs(pod)) > 0 {
				port, zone = p, ev.place.ZoneOfPod(pod)
			}
		}
	}
	if port == "" {
		t.Fatal("no policy selects a pod with a port")
	}
	zones := ev.Bed().Zones
	if _, err := zones[zone].NBCtl(ctx, "lsp-del", port); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(waitTimeout)
	for testutil.ToFloat64(metrics[zone].PodsWithoutPort) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("zone %s: port %s deleted, but tieracl_pods_without_port = %v, want 1", zones[zone].Name, port,
				testutil.ToFloat64(metrics[zone].PodsWithoutPort))
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i, z := range zones {
		if n := testutil.ToFloat64(metrics[i].PodsWithoutPort); i != zone && n != 0 {
			t.Errorf("zone %s counts %v pods without port after zone %s lost one; want 0", z.Name, n, zones[zone].Name)
		}
	}
	t.Logf("port %s deleted from zone %s: counted missing there only", port, zones[zone].Name)
}

// zonedNodes is the snapshot with a Node for every node the placement names, each annotated with its
// zone's name, as OVN-Kubernetes interconnect annotates nodes.
func zonedNodes(snap *cluster.Snapshot, place Placement, zones []*Zone) *cluster.Snapshot {
	out := *snap
	out.Nodes = nil
	have := map[string]*corev1.Node{}
	for _, n := range snap.Nodes {
		have[n.Name] = n
	}
	for name, zone := range place {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if old, ok := have[name]; ok {
			n = old.DeepCopy()
		}
		if n.Annotations == nil {
			n.Annotations = map[string]string{}
		}
		n.Annotations[controller.ZoneKey] = zones[zone].Name
		out.Nodes = append(out.Nodes, n)
	}
	return &out
}

func connect(t *testing.T, ctx context.Context, z *Zone) client.Client {
	t.Helper()
	c, err := nbsync.Connect(ctx, z.NBSocket(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// waitRows waits until the controller is ready and its zone's NB holds every ACL of the translation.
func waitRows(ctx context.Context, z *Zone, c *controller.Controller, acls int) error {
	deadline := time.Now().Add(waitTimeout)
	for {
		out, err := z.NBCtl(ctx, "--bare", "--columns=_uuid", "list", "ACL")
		if err != nil {
			return err
		}
		have := len(strings.Fields(out))
		ready := c.Ready()
		if ready == nil && have == acls {
			return z.WaitNorthd(ctx)
		}
		if time.Now().After(deadline) {
			return errors.Join(errors.New("the controller did not write its rows"), ready)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func fakeClients(snap *cluster.Snapshot) (*kubefake.Clientset, *npfake.Clientset) {
	var kubeObjs, policyObjs []runtime.Object
	for _, o := range snap.Namespaces {
		kubeObjs = append(kubeObjs, o)
	}
	for _, o := range snap.Pods {
		kubeObjs = append(kubeObjs, o)
	}
	for _, o := range snap.Nodes {
		kubeObjs = append(kubeObjs, o)
	}
	for _, o := range snap.NetworkPolicies {
		kubeObjs = append(kubeObjs, o)
	}
	for _, o := range snap.ANPs {
		policyObjs = append(policyObjs, o)
	}
	for _, o := range snap.BANPs {
		policyObjs = append(policyObjs, o)
	}
	for _, o := range snap.CNPs {
		policyObjs = append(policyObjs, o)
	}
	// The simple policy fake: the field-managed one lacks these CRDs' schema and fails every write.
	return kubefake.NewClientset(kubeObjs...), npfake.NewSimpleClientset(policyObjs...)
}
