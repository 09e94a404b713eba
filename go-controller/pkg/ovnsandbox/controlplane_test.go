package ovnsandbox

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// portOf finds a fixture endpoint's logical port in the topology.
func portOf(t *testing.T, topo *Topology, key string) Port {
	t.Helper()
	if name, ok := strings.CutPrefix(key, "node/"); ok {
		if p, ok := topo.Nodes[name]; ok {
			return p
		}
	} else if p, ok := topo.Pods[key]; ok {
		return p
	}
	t.Fatalf("fixture endpoint %s has no port", key)
	return Port{}
}

func TestControlPlaneTopology(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := startBed(t, ctx)
	if _, err := b.ApplyTopology(ctx, twoPodSnapshot()); err != nil {
		t.Fatalf("ApplyTopology: %v", err)
	}
	// Applying again must be harmless: ports are only updated.
	if _, err := b.ApplyTopology(ctx, twoPodSnapshot()); err != nil {
		t.Fatalf("ApplyTopology again: %v", err)
	}
	cases := []struct {
		name string
		args []string
		want string
		// anyOrder sorts the output's lines first.
		anyOrder bool
	}{
		{name: "pod port addresses", args: []string{"get", "logical_switch_port", "beta_server", "addresses"},
			want: `["0a:58:0a:f4:01:06 10.244.1.6"]`},
		{name: "pod port security", args: []string{"get", "logical_switch_port", "beta_server", "port_security"},
			want: `["0a:58:0a:f4:01:06 10.244.1.6"]`},
		{name: "pod external ids", args: []string{"get", "logical_switch_port", "alpha_client", "external_ids"},
			want: `{namespace=alpha, pod=client}`},
		{name: "node port holds the node IP", args: []string{"get", "logical_switch_port", "k8s-node-1", "addresses"},
			want: `["0a:58:ac:12:00:02 172.18.0.2"]`},
		{name: "host-network pod has no port of its own", args: []string{"--columns=name", "--bare", "find",
			"logical_switch_port", "external_ids:pod=agent"}, want: ``},
		{name: "one switch holds all four ports", args: []string{"--bare", "--columns=name", "find",
			"logical_switch_port", "type=\"\""}, want: "alpha_client\nbeta_server\nk8s-node-1\nk8s-node-2", anyOrder: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := b.NBCtl(ctx, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSpace(out)
			if tc.anyOrder {
				got = sortedLines(got)
			}
			if got != tc.want {
				t.Fatalf("ovn-nbctl %v = %q, want %q", tc.args, got, tc.want)
			}
		})
	}
	ports, err := b.NBCtl(ctx, "lsp-list", SwitchName)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Split(strings.TrimSpace(ports), "\n")); n != 4 {
		t.Fatalf("switch %s has %d ports, want the 4 of the snapshot:\n%s", SwitchName, n, ports)
	}
}

// TestControlPlaneACLs writes ACLs with ovn-nbctl and checks ovn-northd's logical flows with ovn-trace.
func TestControlPlaneACLs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b := startBed(t, ctx)
	topo, err := b.ApplyTopology(ctx, twoPodSnapshot())
	if err != nil {
		t.Fatalf("ApplyTopology: %v", err)
	}
	if _, err := b.NBCtl(ctx, "pg-add", "pg_client", "alpha_client"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range aclCases {
		t.Run(tc.name, func(t *testing.T) {
			setACLs(t, ctx, b, tc.acls)
			for _, f := range tc.flows {
				mf := Microflow{From: portOf(t, topo, f.From), To: portOf(t, topo, f.To), Protocol: f.Protocol, DstPort: f.Port}
				got, err := b.TraceFlow(ctx, mf)
				if err != nil {
					t.Fatalf("trace %s: %v", flowName(f), err)
				}
				if got.Delivered(mf.To.Name) != f.Allowed {
					detail, _ := b.TraceDetailed(ctx, mf)
					t.Errorf("%s: delivered=%v, want %v; ovn-trace:\n%s", flowName(f), !f.Allowed, f.Allowed, detail)
				}
			}
		})
	}
}

func flowName(f flowCase) string {
	return fmt.Sprintf("%s -> %s %s/%d", f.From, f.To, f.Protocol, f.Port)
}

func sortedLines(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
