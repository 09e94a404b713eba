package e2e_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
	"github.com/tieracl/tieracl/test/e2e"
)

const (
	latencyNamespace = "e2e-latency"
	latencyRounds    = 5
)

var latencyRun atomic.Int32 // pod names differ per run, for -count

// TestLatency measures, for each kind of change, the time from the API write to the packets obeying
// it: a connection is tried every 5 ms from a client pod to a server pod until the new verdict holds for
// 20 tries in a row. Policy create, update and delete go through the controller's full translation; a
// label change that moves the server in or out of the policy's subject is a member mutation. The pods
// are created now, while the controller runs, and get their IPs from the agent's pool.
func TestLatency(t *testing.T) {
	env := environment(t)
	pols := policies(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := latencyRun.Add(1)
	server, client := fmt.Sprintf("server-%d", run), fmt.Sprintf("client-%d", run)
	serverPod := latencyPods(t, ctx, env, server, client)

	env.BedMu.Lock()
	from := env.Bed.Netns(latencyNamespace + "/" + client)
	env.BedMu.Unlock()
	ips := cluster.PodIPs(serverPod)
	if from == nil || len(ips) == 0 {
		t.Fatalf("the agent did not wire the pods: client namespace %v, server IPs %v", from, ips)
	}
	if !netip.MustParsePrefix("10.244.1.0/24").Contains(ips[0]) || ips[0].As4()[3] < 100 {
		t.Errorf("server %s on kind-worker got %v, not an address of the node's pool", server, ips)
	}
	target := probe.Target{Protocol: probe.TCP, Addr: netip.AddrPortFrom(ips[0], 8080)}
	dst := latencyNamespace + "/" + server
	// Before any policy the server answers.
	measureFlip(t, ctx, from, dst, target, true, time.Now(), func() {})

	anp := latencyANP(anpv1alpha1.AdminNetworkPolicyRuleActionDeny)
	steps := []struct {
		name  string
		allow bool
		write func() error
	}{
		{"policy create (deny)", false, func() error { _, err := pols.Apply(ctx, anps(t, anp)); return err }},
		{"pod label: leaves the subject", true, func() error { return labelPod(ctx, env, server, nil) }},
		{"pod label: joins the subject", false, func() error { s := "yes"; return labelPod(ctx, env, server, &s) }},
		{"policy update (deny to allow)", true, func() error {
			_, err := pols.Apply(ctx, anps(t, latencyANP(anpv1alpha1.AdminNetworkPolicyRuleActionAllow)))
			return err
		}},
		{"policy update (allow to deny)", false, func() error { _, err := pols.Apply(ctx, anps(t, anp)); return err }},
		{"policy delete", true, func() error { return pols.DeleteAll(ctx) }},
	}
	took := map[string][]time.Duration{}
	for round := 1; round <= latencyRounds; round++ {
		for _, s := range steps {
			start := time.Now()
			d := measureFlip(t, ctx, from, dst, target, s.allow, start, func() {
				if err := s.write(); err != nil {
					t.Fatal(err)
				}
			})
			took[s.name] = append(took[s.name], d)
			t.Logf("round %d, %-32s packets obey after %v", round, s.name+":", d.Round(time.Millisecond))
		}
	}
	t.Log("API write to packets obeying it, over", latencyRounds, "rounds (min / median / max):")
	for _, s := range steps {
		ds := took[s.name]
		slices.Sort(ds)
		t.Logf("  %-32s %v / %v / %v", s.name+":", ds[0].Round(time.Millisecond), ds[len(ds)/2].Round(time.Millisecond),
			ds[len(ds)-1].Round(time.Millisecond))
	}
}

// measureFlip does the write, then measures from start until the packets from `from` to target obey it.
func measureFlip(t *testing.T, ctx context.Context, from *ovnsandbox.Netns, dst string, target probe.Target, allow bool,
	start time.Time, write func()) time.Duration {
	t.Helper()
	write()
	flip, err := e2e.MeasureFlip(ctx, from, dst, target, allow, start, e2e.FlipOptions{})
	if err != nil {
		var last []string
		for _, a := range flip.Attempts[max(0, len(flip.Attempts)-5):] {
			last = append(last, fmt.Sprintf("%v allowed=%v err=%v", a.At.Round(time.Millisecond), a.Allowed, a.Err))
		}
		t.Fatalf("%v; last attempts: %s", err, strings.Join(last, "; "))
	}
	return flip.After
}

// latencyPods creates the latency namespace (once) and a server pod on kind-worker, selected by the
// policy's subject through its label deny=yes, serving TCP 8080, and a client pod on kind-worker2;
// neither asks for addresses. They are deleted when the test ends.
func latencyPods(t *testing.T, ctx context.Context, env *e2e.Env, server, client string) *corev1.Pod {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: latencyNamespace}}
	if _, err := env.Admin.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	pod := func(name, node string, labels map[string]string, ports ...corev1.ContainerPort) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: latencyNamespace, Labels: labels},
			Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "main",
				Image: "registry.k8s.io/e2e-test-images/agnhost:2.45", Ports: ports}}}}
	}
	for _, p := range []*corev1.Pod{
		pod(server, "kind-worker", map[string]string{"app": "server", "deny": "yes"},
			corev1.ContainerPort{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}),
		pod(client, "kind-worker2", map[string]string{"app": "client"}),
	} {
		if _, err := env.Admin.CoreV1().Pods(latencyNamespace).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			zero := int64(0)
			err := env.Admin.CoreV1().Pods(latencyNamespace).Delete(context.Background(), p.Name,
				metav1.DeleteOptions{GracePeriodSeconds: &zero})
			if err != nil {
				t.Error(err)
			}
		})
	}
	if err := env.Agent.WaitPods(ctx, time.Minute, latencyNamespace+"/"+server, latencyNamespace+"/"+client); err != nil {
		t.Fatal(err)
	}
	got, err := env.Admin.CoreV1().Pods(latencyNamespace).Get(ctx, server, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// labelPod sets (or with nil removes) the server's label deny.
func labelPod(ctx context.Context, env *e2e.Env, name string, deny *string) error {
	value := "null"
	if deny != nil {
		value = fmt.Sprintf("%q", *deny)
	}
	patch := []byte(`{"metadata":{"labels":{"deny":` + value + `}}}`)
	_, err := env.Admin.CoreV1().Pods(latencyNamespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

// latencyANP acts on all ingress of the latency namespace's pods labeled deny=yes from that namespace.
func latencyANP(action anpv1alpha1.AdminNetworkPolicyRuleAction) *anpv1alpha1.AdminNetworkPolicy {
	ns := &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: latencyNamespace}}
	return &anpv1alpha1.AdminNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "e2e-latency"},
		Spec: anpv1alpha1.AdminNetworkPolicySpec{
			Priority: 5,
			Subject: anpv1alpha1.AdminNetworkPolicySubject{Pods: &anpv1alpha1.NamespacedPod{NamespaceSelector: *ns,
				PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"deny": "yes"}}}},
			Ingress: []anpv1alpha1.AdminNetworkPolicyIngressRule{{Name: "from-the-namespace", Action: action,
				From: []anpv1alpha1.AdminNetworkPolicyIngressPeer{{Namespaces: ns}}}},
		},
	}
}
