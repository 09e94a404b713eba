package zones

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/test/e2e"
	"github.com/tieracl/tieracl/test/kube"
)

// Zone-mode timing for the status test: short Leases, so a stopped zone is pruned within seconds.
const (
	statusLease = 3 * time.Second
	statusGrace = 2 * time.Second
)

// TestZoneStatus runs two tieracl-controller processes in zone mode, one per zone of the two-zone bed,
// against a real kube-apiserver with dist/'s RBAC and the ServiceAccount's token, and checks the one
// Programmed condition they fold for a ClusterNetworkPolicy whose subject has pods in both zones: True
// while both zones enforce it, and not rewritten while nothing changes; False naming az1 once a
// selected pod on az1's node has no logical port there, with one event for the cluster; and after az1's
// controller is killed, its report is pruned once its Lease expired plus the grace, and the condition is
// az2's view again.
func TestZoneStatus(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the two-zone bed needs root (network namespaces, ovs-vswitchd)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "tieracl-zone-status-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("run folder %s kept", dir)
			return
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Error(err)
		}
	})
	var bed *Bed
	var api *kube.Cluster
	var binary string
	var bedErr, apiErr, buildErr error
	var wg sync.WaitGroup
	wg.Go(func() { bed, bedErr = Start(ctx, Options{Bed: bedOptions(t, ctx)}) })
	wg.Go(func() { api, apiErr = kube.Start(ctx, kube.Options{Dir: dir}) })
	wg.Go(func() { binary, buildErr = e2e.BuildController(ctx, dir) })
	wg.Wait()
	if bed != nil {
		t.Cleanup(func() {
			if t.Failed() {
				bed.KeepRunDir()
			}
			if err := bed.Stop(); err != nil {
				t.Errorf("bed Stop: %v", err)
			}
		})
	}
	if api != nil {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("API server logs:\n%s", api.Logs(10))
			}
			if err := api.Stop(); err != nil {
				t.Errorf("kube Stop: %v", err)
			}
		})
	}
	if err := errors.Join(bedErr, apiErr, buildErr); err != nil {
		t.Fatal(err)
	}
	admin, policies, kubeconfig := setUpAPI(t, ctx, api, dir)

	// n1 is az1's node, n2 az2's; the policy's subject is every pod of namespace "tenant".
	place := Placement{"n1": 0, "n2": 1}
	snap := &cluster.Snapshot{Pods: []*corev1.Pod{pod("tenant", "web1", "n1", "10.244.0.5"),
		pod("tenant", "web2", "n2", "10.244.1.5")}}
	for _, name := range []string{"n1", "n2"} {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name,
			Annotations: map[string]string{controller.ZoneKey: bed.Zones[place[name]].Name}}}
		if _, err := admin.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tenant := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "tenant"}}
	if _, err := admin.CoreV1().Namespaces().Create(ctx, tenant, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Pods {
		createPod(t, ctx, admin, p)
	}
	if err := bed.ApplyTopology(ctx, snap, place); err != nil {
		t.Fatal(err)
	}
	cnp := &cnpv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "tenant-guard"},
		Spec: cnpv1beta1.ClusterNetworkPolicySpec{Tier: cnpv1beta1.AdminTier, Priority: 10,
			Subject: cnpv1beta1.ClusterNetworkPolicySubject{Namespaces: &metav1.LabelSelector{
				MatchLabels: map[string]string{corev1.LabelMetadataName: "tenant"}}},
			Ingress: []cnpv1beta1.ClusterNetworkPolicyIngressRule{{
				Action: cnpv1beta1.ClusterNetworkPolicyRuleActionDeny,
				From: []cnpv1beta1.ClusterNetworkPolicyIngressPeer{{Namespaces: &metav1.LabelSelector{
					MatchLabels: map[string]string{"tier": "untrusted"}}}}}}}}
	_, err = policies.PolicyV1beta1().ClusterNetworkPolicies().Create(ctx, cnp, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	ctls := make([]*e2e.Controller, len(bed.Zones))
	for i, z := range bed.Zones {
		c, err := e2e.NewController(binary, filepath.Join(dir, z.Name), kubeconfig, z.NBSocket())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(c.Dir, 0o755); err != nil {
			t.Fatal(err)
		}
		c.Flags = []string{"--zone=" + z.Name, "--leader-election-identity=tieracl-" + z.Name,
			"--leader-election-lease-duration=" + statusLease.String(), "--leader-election-renew-deadline=2s",
			"--leader-election-retry-period=500ms", "--zone-report-grace=" + statusGrace.String()}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		ctls[i] = c
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("zone %s controller:\n%s", z.Name, c.Logs(40))
			}
			if err := c.Stop(); err != nil {
				t.Errorf("zone %s controller Stop: %v", z.Name, err)
			}
			if lines := c.Forbidden(); len(lines) > 0 {
				t.Errorf("zone %s controller was refused by RBAC:\n%s", z.Name, strings.Join(lines, "\n"))
			}
		})
	}
	for i, c := range ctls {
		if err := c.WaitReadyz(ctx, 200, e2e.Leading, 60*time.Second); err != nil {
			t.Fatalf("zone %s: %v", bed.Zones[i].Name, err)
		}
	}

	began := time.Now()
	cond := waitCondition(t, ctx, policies, cnp.Name, metav1.ConditionTrue, controller.ReasonProgrammed,
		"programmed in OVN in every zone (2 live)")
	t.Logf("both zones enforce: %s/%s after %v", cond.Status, cond.Reason, time.Since(began).Round(time.Millisecond))
	quiet(t, ctx, policies, cnp.Name)

	began = time.Now()
	createPod(t, ctx, admin, pod("tenant", "web3", "n1", "10.244.0.6")) // no port in az1's NB
	cond = waitCondition(t, ctx, policies, cnp.Name, metav1.ConditionFalse, controller.ReasonPortsMissing,
		"PortsMissing in 1 of 2 zones (az1)", "tenant/web3")
	t.Logf("a port missing in az1: %s/%s %q after %v", cond.Status, cond.Reason, cond.Message,
		time.Since(began).Round(time.Millisecond))
	waitEvents(t, ctx, admin, cnp.Name, controller.ReasonPortsMissing)

	// Killed, as a crash or a lost node would leave it: its Leases are not released but expire.
	began = time.Now()
	if err := ctls[0].Kill(); err != nil {
		t.Fatal(err)
	}
	cond = waitCondition(t, ctx, policies, cnp.Name, metav1.ConditionTrue, controller.ReasonProgrammed,
		"programmed in OVN in every zone (1 live)")
	pruned := time.Since(began)
	if _, err := admin.CoreV1().ConfigMaps(e2e.ControllerNamespace).Get(ctx, controller.ZoneReportName("az1"),
		metav1.GetOptions{}); err == nil {
		t.Error("az1's report is still there after the condition left az1 out")
	}
	if pruned < statusLease {
		t.Errorf("az1 left the condition %v after its controller stopped, before its Lease could expire (%v)",
			pruned, statusLease)
	}
	metrics, err := ctls[1].Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tieracl_zone_reports_pruned_total 1", "tieracl_zones_live 1"} {
		if !strings.Contains("\n"+metrics+"\n", "\n"+want+"\n") {
			t.Errorf("az2's metrics (the folder now) lack %q:\n%s", want, grepLines(metrics, "tieracl_zone"))
		}
	}
	t.Logf("az1 killed: pruned, condition %s/%s after %v", cond.Status, cond.Reason, pruned.Round(time.Millisecond))
}

// setUpAPI applies dist/'s namespace, ServiceAccount and RBAC and writes a kubeconfig with the
// ServiceAccount's token, so that a verb the RBAC lacks fails the test.
func setUpAPI(t *testing.T, ctx context.Context, api *kube.Cluster, dir string) (kubernetes.Interface,
	npclient.Interface, string) {
	t.Helper()
	cfg := api.RESTConfig()
	admin, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	policies, err := npclient.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e2e.ApplyDist(ctx, admin.Discovery(), dyn); err != nil {
		t.Fatal(err)
	}
	token, err := api.TokenFor(ctx, e2e.ControllerNamespace, e2e.ControllerSA)
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(dir, "controller.kubeconfig")
	if err := api.KubeconfigForToken(kubeconfig, token); err != nil {
		t.Fatal(err)
	}
	return admin, policies, kubeconfig
}

// createPod creates the pod, with a container as the API server wants, and sets its status (running,
// its IPs), as a kubelet would.
func createPod(t *testing.T, ctx context.Context, admin kubernetes.Interface, p *corev1.Pod) {
	t.Helper()
	obj := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name, Labels: p.Labels},
		Spec: corev1.PodSpec{NodeName: p.Spec.NodeName, Containers: []corev1.Container{{Name: "c", Image: "agnhost"}}}}
	created, err := admin.CoreV1().Pods(p.Namespace).Create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status = p.Status
	if _, err := admin.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitCondition polls the policy until it has exactly one condition, Programmed, of its generation with
// that status and reason and a message holding every part.
func waitCondition(t *testing.T, ctx context.Context, policies npclient.Interface, name string,
	status metav1.ConditionStatus, reason string, parts ...string) metav1.Condition {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	last := "no condition"
	for {
		cnp, err := policies.PolicyV1beta1().ClusterNetworkPolicies().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if conds := cnp.Status.Conditions; len(conds) > 0 {
			c := conds[0]
			last = fmt.Sprintf("%d conditions, the first %s %s/%s gen %d: %s", len(conds), c.Type, c.Status, c.Reason,
				c.ObservedGeneration, c.Message)
			if len(conds) == 1 && c.Type == controller.ConditionProgrammed && c.Status == status &&
				c.Reason == reason && c.ObservedGeneration == cnp.Generation && containsAll(c.Message, parts) {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition of %s not %s/%s %q within 60s; last: %s", name, status, reason, parts, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// quiet checks that the policy is not written while nothing changes, though every zone renews its
// Lease several times meanwhile.
func quiet(t *testing.T, ctx context.Context, policies npclient.Interface, name string) {
	t.Helper()
	get := func() string {
		cnp, err := policies.PolicyV1beta1().ClusterNetworkPolicies().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return cnp.ResourceVersion
	}
	before := get()
	time.Sleep(4 * 500 * time.Millisecond) // four Lease renewals of each zone
	if after := get(); after != before {
		t.Errorf("the policy was written while nothing changed: resourceVersion %s, then %s", before, after)
	}
}

// waitEvents waits for the policy's Warning event of that reason and checks there is one, not one per
// zone.
func waitEvents(t *testing.T, ctx context.Context, admin kubernetes.Interface, name, reason string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		list, err := admin.CoreV1().Events(metav1.NamespaceDefault).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range list.Items {
			if ev.InvolvedObject.Name == name && ev.Reason == reason {
				got = append(got, fmt.Sprintf("%s (x%d): %s", ev.Source.Component, ev.Count, ev.Message))
			}
		}
		switch {
		case len(got) == 1:
			return
		case len(got) > 1:
			t.Fatalf("%d %s events for %s, want one for the cluster: %q", len(got), reason, name, got)
		case time.Now().After(deadline):
			t.Fatalf("no %s event for %s within 30s", reason, name)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// grepLines is the lines of text that hold s.
func grepLines(text, s string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
