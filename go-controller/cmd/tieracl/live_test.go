package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdiff"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/testbed"
)

// The live commands run against a real NB ovsdb-server from the test bed.

const liveExample = "../../../examples/01-okd-monitoring-precedence"

// startLiveNB starts a bed whose NB holds a logical switch port for every pod of the example, and rows of
// another client (an ACL on the switch, a port group, an address set) that tieracl must leave alone.
func startLiveNB(t *testing.T) (context.Context, *ovnsandbox.Bed, *translate.Result) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real OVN NB ovsdb-server (test/ovn/fetch.sh); skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	root, err := testbed.OVN(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bed, err := ovnsandbox.Start(ctx, ovnsandbox.Options{OVN: root})
	if err != nil {
		t.Fatalf("the OVN test bed does not start: %v", err)
	}
	t.Cleanup(func() {
		if err := bed.Stop(); err != nil {
			t.Errorf("stop test bed: %v", err)
		}
	})
	snap, err := manifest.Load(liveExample)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"ls-add", "sw"}
	for _, p := range cluster.NewIndex(snap, nil).Pods() {
		args = append(args, "--", "lsp-add", "sw", p.LogicalPort)
	}
	args = append(args, "--", "acl-add", "sw", "to-lport", "1001", "ip4.src == 192.0.2.1", "drop",
		"--", "pg-add", "foreign_pg", "--", "create", "Address_Set", "name=foreign_as", "addresses=192.0.2.9")
	if _, err := bed.NBCtl(ctx, args...); err != nil {
		t.Fatal(err)
	}
	return ctx, bed, translate.Translate(snap, translate.Options{})
}

func TestLiveSyncDiffDrift(t *testing.T) {
	ctx, bed, res := startLiveNB(t)
	nb := []string{"-f", liveExample, "--nb", bed.NBSocket()}
	// expect names its step for the reader; expectCLI's messages name the command line.
	expect := func(_ string, code int, args []string, stdout ...string) string {
		t.Helper()
		return expectCLI(t, code, args, stdout...)
	}
	acl, set := res.State.ACLs[0], firstNonEmptySet(t, &res.State)

	expect("diff of an empty NB", 1, append([]string{"diff"}, nb...), "missing  ACL          "+acl.Name)
	expect("dry run", 0, append([]string{"sync", "--dry-run"}, nb...), `"op":"insert"`, "nothing written")
	expect("diff after a dry run", 1, append([]string{"diff"}, nb...))
	expect("sync", 0, append([]string{"sync"}, nb...), "synced: ", "in one transaction")
	expect("diff after sync", 0, append([]string{"diff"}, nb...), "NB matches")
	expect("second sync writes nothing", 0, append([]string{"sync"}, nb...), "synced: 0 operations")
	flow := []string{"explain", "--from", "monitoring/prometheus-k8s-0", "--to", "restricted-a/db-0", "--port", "5432"}
	expect("explain over the live rows", 0, append(flow, nb...), "ACL rows: live NB",
		"to-lport  1     anp:block-monitoring:in:0", "port groups (live NB):", "holds it", "verdict: model Deny, acl Deny")
	selects := []string{"selects", "--pod", "monitoring/prometheus-k8s-0"}
	expect("selects with the live NB", 0, append(selects, nb...), "IN NB", "10.244.1.10                  yes\n")

	// Drift: an ACL dropped from its port group (OVSDB then deletes it) and an address removed.
	uuid, err := bed.NBCtl(ctx, "--bare", "--columns=_uuid", "find", "ACL", `name="`+acl.Name+`"`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bed.NBCtl(ctx, "remove", "Port_Group", acl.PortGroup, "acls", strings.TrimSpace(uuid), "--",
		"remove", "Address_Set", set.Name, "addresses", `"`+set.Addresses[0]+`"`); err != nil {
		t.Fatal(err)
	}
	out := expect("diff after drift", 1, append([]string{"diff"}, nb...), "missing  ACL          "+acl.Name,
		"changed  Address_Set  "+set.Name, "- missing: "+set.Addresses[0])
	if !strings.Contains(out, acl.ExternalIDs[nbrows.KeyOwnerKind]+"/"+acl.ExternalIDs[nbrows.KeyOwnerName]+"\n") {
		t.Errorf("diff does not group the ACL under its policy:\n%s", out)
	}
	expect("explain over drifted rows: the ACL is gone", 0, append(flow, nb...), "NoMatch",
		"np:restricted-a/allow-from-monitoring:in:isolate")
	// With prometheus's address gone from the monitoring set, allow-monitoring no longer lets it in.
	explainDrifted := []string{"explain", "--from", "monitoring/prometheus-k8s-0", "--to", "tenant-a/web-0",
		"--port", "8080"}
	expect("explain over drifted rows: the member is gone", 0, append(explainDrifted, nb...),
		"DISAGREE: the policy model says Allow but the ACLs say Deny")
	expect("selects sees the lost member", 0, append(selects, nb...), "10.244.1.10                  NO\n")
	var report nbdiff.Report
	if err := json.Unmarshal([]byte(expect("diff as JSON", 1, append([]string{"diff", "-o", "json"}, nb...))),
		&report); err != nil {
		t.Fatal(err)
	}
	if report.Counts.Missing != 1 || report.Counts.MembersMissing != 1 || report.Counts.Extra != 0 {
		t.Errorf("drift counts %+v, want one row and one member missing", report.Counts)
	}
	expect("sync repairs", 0, append([]string{"sync"}, nb...), "synced: ")
	expect("diff after repair", 0, append([]string{"diff"}, nb...), "NB matches")

	for _, tc := range []struct {
		table,
		name string
	}{{"ACL", ""}, {"Port_Group", "foreign_pg"}, {"Address_Set", "foreign_as"}} {
		out, err := bed.NBCtl(ctx, "--bare", "--columns=name", "list", tc.table)
		if err != nil {
			t.Fatal(err)
		}
		if tc.name != "" && !strings.Contains(out, tc.name) {
			t.Errorf("%s %s of another client is gone: %q", tc.table, tc.name, out)
		}
	}
}

func firstNonEmptySet(t *testing.T, s *nbrows.State) nbrows.AddressSet {
	for _, as := range s.AddressSets {
		if len(as.Addresses) > 0 {
			return as
		}
	}
	t.Fatal("the example translates to no address set with members")
	return nbrows.AddressSet{}
}

// expectCLI runs the command line and checks its exit code and that stdout holds every string.
func expectCLI(t *testing.T, code int, args []string, stdout ...string) string {
	t.Helper()
	got, out, errOut := runCLI(args...)
	if got != code {
		t.Fatalf("%v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, got, code, out, errOut)
	}
	for _, want := range stdout {
		if !strings.Contains(out, want) {
			t.Errorf("%v: stdout lacks %q:\n%s", args, want, out)
		}
	}
	return out
}

func TestLiveACLList(t *testing.T) {
	_, bed, res := startLiveNB(t)
	nb := []string{"--nb", bed.NBSocket()}
	expectCLI(t, 0, append([]string{"sync", "-f", liveExample}, nb...))

	expectCLI(t, 0, append([]string{"acl-list"}, nb...), "TIER  DIRECTION  PRIORITY",
		"AdminNetworkPolicy/block-monitoring", "#0", "foreign", "ip4.src == 192.0.2.1", "PORT GROUPS USED", "ADDRESS SETS "+
			"USED")
	var listing aclListing
	out := expectCLI(t, 0,
		append([]string{"acl-list", "--policy", "AdminNetworkPolicy/block-monitoring", "-o", "json"}, nb...))
	if err := json.Unmarshal([]byte(out), &listing); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, a := range res.State.ACLs {
		if a.ExternalIDs[nbrows.KeyOwnerName] == "block-monitoring" {
			want++
		}
	}
	if len(listing.ACLs) != want || want == 0 {
		t.Errorf("--policy listed %d ACLs, want %d", len(listing.ACLs), want)
	}
	for _, a := range listing.ACLs {
		if a.Owner != "AdminNetworkPolicy/block-monitoring" || len(a.PortGroups) != 1 {
			t.Errorf("--policy listed %+v", a)
		}
	}
	for _, s := range listing.AddressSets {
		if !s.Exists || !s.Owned || s.Members != nil {
			t.Errorf("address set used: %+v, want an owned set without members (no -v)", s)
		}
	}

	onSwitch := expectCLI(t, 0, append([]string{"acl-list", "sw", "-v"}, nb...), "foreign", "192.0.2.1", "10.244.")
	if !strings.Contains(onSwitch, "AdminNetworkPolicy/") {
		t.Errorf("the switch's listing lacks the port groups' ACLs:\n%s", onSwitch)
	}
	pod := expectCLI(t, 0, append([]string{"acl-list", "--pod", "monitoring/prometheus-k8s-0"}, nb...))
	if strings.Contains(pod, "192.0.2.1") {
		t.Errorf("--pod lists an ACL of the switch, not of the pod's port groups:\n%s", pod)
	}
	_, _, errOut := runCLI(append([]string{"acl-list", "--pod", "monitoring/nope"}, nb...)...)
	if !strings.Contains(errOut, "no logical switch port monitoring_nope") {
		t.Errorf("--pod of an unknown pod: %s", errOut)
	}
	if code, _, errOut := runCLI(append([]string{"acl-list", "nosuch"}, nb...)...); code != 2 ||
		!strings.Contains(errOut, `no logical switch "nosuch"`) {
		t.Errorf("unknown switch: exit %d, %s", code, errOut)
	}
	code, _, errOut := runCLI("acl-list", "--nb", "unix:/nonexistent/nb.sock")
	if code != 2 || !strings.Contains(errOut, "connect to NB") {
		t.Errorf("unreachable NB: exit %d, %s", code, errOut)
	}
}

// TestLiveSyncReportsMissingPorts syncs pods whose logical switch ports NB lacks: sync names them, and
// diff lists them as absent, so it does not exit 0.
func TestLiveSyncReportsMissingPorts(t *testing.T) {
	_, bed, _ := startLiveNB(t)
	nb := []string{"-f", "testdata/cluster.yaml", "--nb", bed.NBSocket()}
	expectCLI(t, 0, append([]string{"sync"}, nb...),
		"pod monitoring/prometheus: no logical switch port monitoring_prometheus in NB", "pod shop/web: no logical switch "+
			"port shop_web")
	expectCLI(t, 1, append([]string{"diff"}, nb...), "! no logical switch port: shop_web", "0 members missing")
	if code, _, errOut := runCLI("sync", "--nb", bed.NBSocket()); code != 2 ||
		!strings.Contains(errOut, "sync needs manifests") {
		t.Errorf("sync without files: exit %d, %s", code, errOut)
	}
}
