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
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/testbed"
)

// The live commands run against a real NB ovsdb-server from the test bed.

const liveExample = "../../../examples/01-okd-monitoring-precedence"

// liveNB starts a bed whose NB holds a logical switch port for every pod of the example, and rows of
// another client (an ACL on the switch, a port group, an address set) that tieracl must leave alone.
func liveNB(t *testing.T) (context.Context, *testbed.Bed, *translate.Result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	bed, err := testbed.Start(ctx, testbed.Options{})
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
	ctx, bed, res := liveNB(t)
	nb := []string{"-f", liveExample, "--nb", bed.NBSocket()}
	expect := func(name string, code int, args []string, stdout ...string) string {
		t.Helper()
		got, out, errOut := runCLI(args...)
		if got != code {
			t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", name, got, code, out, errOut)
		}
		for _, want := range stdout {
			if !strings.Contains(out, want) {
				t.Errorf("%s: stdout lacks %q:\n%s", name, want, out)
			}
		}
		return out
	}
	acl, set := res.State.ACLs[0], firstNonEmptySet(t, &res.State)

	expect("diff of an empty NB", 1, append([]string{"diff"}, nb...), "missing  ACL          "+acl.Name)
	expect("dry run", 0, append([]string{"sync", "--dry-run"}, nb...), `"op":"insert"`, "nothing written")
	expect("diff after a dry run", 1, append([]string{"diff"}, nb...))
	expect("sync", 0, append([]string{"sync"}, nb...), "synced: ", "in one transaction")
	expect("diff after sync", 0, append([]string{"diff"}, nb...), "NB matches")
	expect("second sync writes nothing", 0, append([]string{"sync"}, nb...), "synced: 0 operations")

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
	var report nbdiff.Report
	if err := json.Unmarshal([]byte(expect("diff as JSON", 1, append([]string{"diff", "-o", "json"}, nb...))), &report); err != nil {
		t.Fatal(err)
	}
	if report.Counts.Missing != 1 || report.Counts.MembersMissing != 1 || report.Counts.Extra != 0 {
		t.Errorf("drift counts %+v, want one row and one member missing", report.Counts)
	}
	expect("sync repairs", 0, append([]string{"sync"}, nb...), "synced: ")
	expect("diff after repair", 0, append([]string{"diff"}, nb...), "NB matches")

	for _, tc := range []struct{ table, name string }{{"ACL", ""}, {"Port_Group", "foreign_pg"}, {"Address_Set", "foreign_as"}} {
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
