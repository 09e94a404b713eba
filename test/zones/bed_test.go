package zones

import (
	"context"
	"net/netip"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// startBed starts a two-zone bed that is stopped when the test ends; a failed test keeps the run
// folders and prints the daemons' logs. It needs root and the real binaries, and fails without them.
func startBed(t *testing.T, ctx context.Context) *Bed {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the two-zone bed needs root (network namespaces, ovs-vswitchd)")
	}
	start := time.Now()
	b, err := Start(ctx, Options{Bed: bedOptions(t, ctx)})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("two zones interconnected in %v (%s, %s)", time.Since(start).Round(time.Millisecond),
		b.Zones[0].Dir, b.Zones[1].Dir)
	t.Cleanup(func() {
		if t.Failed() {
			b.KeepRunDir()
			t.Logf("daemon logs:\n%s", b.Logs(15))
		}
		if err := b.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return b
}

func pod(namespace, name, node string, ips ...string) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: map[string]string{"app": name}},
		Spec:       corev1.PodSpec{NodeName: node},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for _, ip := range ips {
		p.Status.PodIPs = append(p.Status.PodIPs, corev1.PodIP{IP: ip})
	}
	return p
}

// TestCrossZonePackets is the positive control of the two-zone tests: with no policy, TCP and UDP
// between pods of different zones, over IPv4 and IPv6, get their server's reply through the transit
// switch, and a pod reaches a pod of its own zone.
func TestCrossZonePackets(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	b := startBed(t, ctx)
	snap := &cluster.Snapshot{Pods: []*corev1.Pod{
		pod("alpha", "client", "node-1", "10.244.0.5", "fd00:10:244::5"),
		pod("alpha", "neighbor", "node-1", "10.244.0.6"),
		pod("beta", "server", "node-2", "10.244.1.6", "fd00:10:244:1::6"),
	}}
	place := Placement{"node-1": 0, "node-2": 1}
	if err := b.ApplyTopology(ctx, snap, place); err != nil {
		t.Fatalf("ApplyTopology: %v", err)
	}
	ns := map[string]*ovnsandbox.Netns{}
	for _, p := range snap.Pods {
		z := b.Zones[place.ZoneOfPod(p)]
		n, err := z.AddPodNamespace(ctx, p)
		if err != nil {
			t.Fatalf("zone %s: AddPodNamespace %s: %v", z.Name, p.Name, err)
		}
		ns[p.Name] = n
	}
	for _, name := range []string{"server", "neighbor"} {
		z := b.Zones[place.ZoneOfPod(podNamed(snap, name))]
		if _, err := z.Serve(ctx, ns[name], probe.Listen{Protocol: probe.TCP, Port: 80},
			probe.Listen{Protocol: probe.UDP, Port: 53}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.WaitHV(ctx); err != nil {
		t.Fatal(err)
	}
	targets := []probe.Target{
		{Protocol: probe.TCP, Addr: netip.MustParseAddrPort("10.244.1.6:80")},
		{Protocol: probe.UDP, Addr: netip.MustParseAddrPort("10.244.1.6:53")},
		{Protocol: probe.TCP, Addr: netip.MustParseAddrPort("[fd00:10:244:1::6]:80")},
		{Protocol: probe.TCP, Addr: netip.MustParseAddrPort("10.244.0.6:80")},
	}
	want := []string{"beta/server tcp:80", "beta/server udp:53", "beta/server tcp:80", "alpha/neighbor tcp:80"}
	got, err := b.Zones[0].Probe(ctx, ns["client"], 0, targets...)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if r.Outcome != probe.Connected || r.Reply != want[i] {
			t.Errorf("%s %s: %s %q (%s), want connected to %q", targets[i].Protocol, targets[i].Addr, r.Outcome,
				r.Reply, r.Error, want[i])
		}
	}
}

func podNamed(snap *cluster.Snapshot, name string) *corev1.Pod {
	for _, p := range snap.Pods {
		if p.Name == name {
			return p
		}
	}
	return nil
}
