package ovnsandbox

import (
	"context"
	"net/netip"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// datapathBed is a bed with the datapath, the fixture's client and server pods, node-1's host stack and
// probe servers on the ports the cases use.
type datapathBed struct {
	*Bed
	topo       *Topology
	serverSCTP probe.Ready
}

var servedPorts = map[string][]probe.Listen{
	server: {listen(probe.TCP, 80), listen(probe.TCP, 8080), listen(probe.UDP, 53), listen(probe.SCTP, 9000)},
	node1:  {listen(probe.TCP, 10250)},
	client: {},
}

func listen(p probe.Protocol, port uint16) probe.Listen { return probe.Listen{Protocol: p, Port: port} }

func startDatapathBed(t *testing.T, ctx context.Context) *datapathBed {
	t.Helper()
	b := startBed(t, ctx)
	topo, err := b.ApplyTopology(ctx, twoPodSnapshot())
	if err != nil {
		t.Fatalf("ApplyTopology: %v", err)
	}
	start := time.Now()
	if err := b.StartDatapath(ctx); err != nil {
		t.Fatalf("StartDatapath: %v", err)
	}
	t.Logf("datapath up in %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	snap := twoPodSnapshot()
	for _, p := range snap.Pods[:2] {
		if _, err := b.AddPodNamespace(ctx, p); err != nil {
			t.Fatalf("AddPodNamespace %s/%s: %v", p.Namespace, p.Name, err)
		}
	}
	if _, err := b.AddNodeNamespace(ctx, "node-1"); err != nil {
		t.Fatalf("AddNodeNamespace: %v", err)
	}
	t.Logf("3 namespaces bound and up in %v", time.Since(start).Round(time.Millisecond))
	db := &datapathBed{Bed: b, topo: topo}
	for key, ports := range servedPorts {
		if len(ports) == 0 {
			continue
		}
		ready, err := b.Serve(ctx, b.Netns(key), ports...)
		if err != nil {
			t.Fatalf("Serve in %s: %v", key, err)
		}
		if key == server {
			db.serverSCTP = ready
		}
	}
	if _, err := b.NBCtl(ctx, "pg-add", "pg_client", "alpha_client"); err != nil {
		t.Fatal(err)
	}
	return db
}

// probeFlows probes every flow, one client run per source, and returns the results in flow order.
func (db *datapathBed) probeFlows(t *testing.T, ctx context.Context, flows []flowCase,
	timeout time.Duration) []probe.Result {
	t.Helper()
	results := make([]probe.Result, len(flows))
	bySource := map[string][]int{}
	for i, f := range flows {
		bySource[f.From] = append(bySource[f.From], i)
	}
	for from, indexes := range bySource {
		var targets []probe.Target
		for _, i := range indexes {
			targets = append(targets, db.target(t, flows[i]))
		}
		got, err := db.Probe(ctx, db.Netns(from), timeout, targets...)
		if err != nil {
			t.Fatalf("probe from %s: %v", from, err)
		}
		for j, i := range indexes {
			results[i] = got[j]
		}
	}
	return results
}

func (db *datapathBed) target(t *testing.T, f flowCase) probe.Target {
	dst := portOf(t, db.topo, f.To)
	return probe.Target{Protocol: f.Protocol, Addr: netip.AddrPortFrom(dst.IPs[0], f.Port)}
}

// TestDatapathACLs sends real packets through ovs-vswitchd for every ACL case: an allowed flow must get
// its server's reply, a dropped one must time out (an answer of any kind would mean a reject, or no
// ACL at all). ovn-trace must agree with the packets.
func TestDatapathACLs(t *testing.T) {
	t.Parallel() // beds run side by side; this also checks that they do
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db := startDatapathBed(t, ctx)
	for _, tc := range aclCases {
		t.Run(tc.name, func(t *testing.T) {
			setACLs(t, ctx, db.Bed, tc.acls)
			if err := db.WaitHV(ctx); err != nil {
				t.Fatalf("WaitHV: %v", err)
			}
			start := time.Now()
			// The default timeout covers a SYN retransmission, so a busy machine does not pass for a drop.
			results := db.probeFlows(t, ctx, tc.flows, 0)
			t.Logf("%d probes in %v", len(tc.flows), time.Since(start).Round(time.Millisecond))
			for i, f := range tc.flows {
				r := results[i]
				want := probe.TimedOut
				if f.Allowed {
					want = probe.Connected
				}
				if r.Outcome != want {
					t.Errorf("%s: %s (%s), want %s", flowName(f), r.Outcome, r.Error, want)
					continue
				}
				if wantReply := f.To + " " + listen(f.Protocol, f.Port).String(); f.Allowed && r.Reply != wantReply {
					t.Errorf("%s: reply %q, want %q", flowName(f), r.Reply, wantReply)
				}
				mf := Microflow{From: portOf(t, db.topo, f.From), To: portOf(t, db.topo, f.To), Protocol: f.Protocol,
					DstPort: f.Port}
				trace, err := db.TraceFlow(ctx, mf)
				if err != nil {
					t.Fatalf("trace %s: %v", flowName(f), err)
				}
				if trace.Delivered(mf.To.Name) != f.Allowed {
					t.Errorf("%s: ovn-trace disagrees with the packets:\n%s", flowName(f), trace.Text)
				}
			}
		})
	}
}

// TestDatapathOutcomes checks the outcomes that are not about ACLs: a closed port is refused, not
// timed out, and SCTP either works or is reported unsupported by both ends, never as a pass.
func TestDatapathOutcomes(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := startDatapathBed(t, ctx)
	sctpWant := probe.Connected
	if len(db.serverSCTP.Unsupported) > 0 {
		sctpWant = probe.SCTPUnsupported
	}
	cases := []struct {
		name string
		flow flowCase
		want probe.Outcome
	}{
		{name: "closed tcp port is refused", flow: flowCase{From: client, To: server, Protocol: probe.TCP, Port: 81},
			want: probe.Refused},
		{name: "closed udp port is refused", flow: flowCase{From: client, To: server, Protocol: probe.UDP, Port: 54},
			want: probe.Refused},
		{name: "sctp connects or both ends report it unsupported",
			flow: flowCase{From: client, To: server, Protocol: probe.SCTP, Port: 9000}, want: sctpWant},
		{name: "pod reaches the node's host stack", flow: flowCase{From: client, To: node1, Protocol: probe.TCP, Port: 10250},
			want: probe.Connected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := db.probeFlows(t, ctx, []flowCase{tc.flow}, 0)[0]
			if r.Outcome != tc.want {
				t.Fatalf("%s: %s (%s), want %s", flowName(tc.flow), r.Outcome, r.Error, tc.want)
			}
		})
	}
	t.Run("ipv6 between dual-stack pods", func(t *testing.T) {
		dual := &cluster.Snapshot{Pods: []*corev1.Pod{
			pod("gamma", "a", "node-1", "10.244.2.7", "fd00:10:244:2::7"),
			pod("gamma", "b", "node-2", "10.244.3.8", "fd00:10:244:3::8"),
		}}
		topo, err := db.ApplyTopology(ctx, dual)
		if err != nil {
			t.Fatal(err)
		}
		var ns []*Netns
		for _, p := range dual.Pods {
			n, err := db.AddPodNamespace(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			ns = append(ns, n)
		}
		if _, err := db.Serve(ctx, ns[1], listen(probe.TCP, 80)); err != nil {
			t.Fatal(err)
		}
		dst := netip.AddrPortFrom(topo.Pods["gamma/b"].IPs[1], 80)
		got, err := db.Probe(ctx, ns[0], 0, probe.Target{Protocol: probe.TCP, Addr: dst})
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Outcome != probe.Connected || got[0].Reply != "gamma/b tcp:80" {
			t.Fatalf("tcp to %s: %+v, want connected to gamma/b", dst, got[0])
		}
	})
}
