package nbsync_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/testbed"
)

// These tests run against a real NB ovsdb-server from the test bed: OVSDB's own reference counting and
// garbage collection of unreferenced ACLs are part of what they check.

func startNB(t *testing.T) (context.Context, client.Client, *ovnsandbox.Bed) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs a real OVN NB ovsdb-server (test/ovn/fetch.sh); skipped under -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
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
	c, err := nbsync.Connect(ctx, bed.NBSocket(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Disconnect)
	for _, port := range []string{"ns_a", "ns_b", "ns_c"} {
		if _, err := bed.NBCtl(ctx, "--may-exist", "ls-add", "sw", "--", "lsp-add", "sw", port); err != nil {
			t.Fatal(err)
		}
	}
	return ctx, c, bed
}

func ids(owner string) map[string]string {
	return map[string]string{nbrows.KeyManagedBy: nbrows.ManagedByValue, nbrows.KeyOwnerName: owner}
}

func state(members []string, addresses []string, priority int) *nbrows.State {
	return &nbrows.State{
		PortGroups:  []nbrows.PortGroup{{Name: "pg_x", Ports: members, ExternalIDs: ids("x")}},
		AddressSets: []nbrows.AddressSet{{Name: "as_x_v4", Addresses: addresses, ExternalIDs: ids("x")}},
		ACLs: []nbrows.ACL{
			{PortGroup: "pg_x", Name: "anp:x:in:0", Tier: 1, Priority: priority, Direction: nbrows.ToLport,
				Match: "outport == @pg_x && ip4.src == $as_x_v4", Action: nbrows.ActionDrop, ExternalIDs: ids("x")},
			{PortGroup: "pg_x", Name: "anp:x:eg:0", Tier: 1, Priority: priority, Direction: nbrows.FromLport,
				Match: "inport == @pg_x && ip4.dst == $as_x_v4", Action: nbrows.ActionPass,
				Options: map[string]string{nbrows.OptionApplyAfterLB: "true"}, ExternalIDs: ids("x")},
		},
	}
}

func sync(t *testing.T, ctx context.Context, c client.Client, s *nbrows.State) nbsync.Stats {
	t.Helper()
	stats, err := nbsync.Sync(ctx, c, s)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	// The cache follows the server asynchronously; wait until it shows the write.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if ops, _, err := nbsync.Ops(ctx, c, s); err == nil && len(ops) == 0 {
			return stats
		}
		time.Sleep(20 * time.Millisecond)
	}
	ops, _, _ := nbsync.Ops(ctx, c, s)
	t.Fatalf("after sync, NB still differs from desired: %d operations left", len(ops))
	return stats
}

func TestSyncLifecycle(t *testing.T) {
	ctx, c, bed := startNB(t)
	if _, err := bed.NBCtl(ctx, "pg-add", "foreign_pg", "--", "create", "Address_Set", "name=foreign_as",
		"addresses=10.9.9.9"); err != nil {
		t.Fatal(err)
	}

	first := sync(t, ctx, c, state([]string{"ns_a", "ns_b", "ns_later"}, []string{"10.0.0.1", "10.0.0.2"}, 100))
	if first.Created != 4 || first.PortsMissing != 1 {
		t.Errorf("first sync: %+v, want 4 rows created and 1 port missing", first)
	}
	aclUUIDs := aclUUIDsByName(t, ctx, c)

	// An unchanged resync sends nothing, even while a member's port is still missing.
	again, err := nbsync.Sync(ctx, c, state([]string{"ns_a", "ns_b", "ns_later"}, []string{"10.0.0.1", "10.0.0.2"}, 100))
	if err != nil || again.Ops != 0 {
		t.Errorf("resync of an unchanged NB wrote %d operations (%v), want 0", again.Ops, err)
	}

	// The missing port appears: the next sync adds it to its group, and only that.
	if _, err := bed.NBCtl(ctx, "lsp-add", "sw", "ns_later"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the cache holds the new port", func() bool {
		_, found := nbsync.CacheLookup(c.Cache())(nbdb.LogicalSwitchPortTable, "ns_later")
		return found
	})
	joined := sync(t, ctx, c, state([]string{"ns_a", "ns_b", "ns_later"}, []string{"10.0.0.1", "10.0.0.2"}, 100))
	if joined.Mutations != 1 || joined.PortsMissing != 0 {
		t.Errorf("late port: %+v, want one port-group insert", joined)
	}

	moved := sync(t, ctx, c, state([]string{"ns_b", "ns_c"}, []string{"10.0.0.2", "10.0.0.3"}, 100))
	if moved.Mutations != 2 || moved.Created != 0 || moved.Updated != 0 || moved.AddressesAdded != 1 ||
		moved.AddressesRemoved != 1 {
		t.Errorf("membership change: %+v, want one in-place mutation of each of the 2 rows and nothing else", moved)
	}

	reprioritized := sync(t, ctx, c, state([]string{"ns_b", "ns_c"}, []string{"10.0.0.2", "10.0.0.3"}, 90))
	if reprioritized.Updated != 2 || reprioritized.Created != 0 {
		t.Errorf("priority change: %+v, want 2 updates", reprioritized)
	}
	if after := aclUUIDsByName(t, ctx, c); !reflect.DeepEqual(after, aclUUIDs) {
		t.Errorf("a priority change must update ACLs in place: UUIDs %v became %v", aclUUIDs, after)
	}

	gone := sync(t, ctx, c, &nbrows.State{})
	if gone.Deleted != 4 {
		t.Errorf("delete all: %+v", gone)
	}
	out, err := bed.NBCtl(ctx, "--bare", "--columns=name", "list", "ACL")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("ACLs left after their port group was deleted: %q %v", out, err)
	}
	out, err = bed.NBCtl(ctx, "--bare", "--columns=name", "list", "Port_Group")
	if err != nil || strings.TrimSpace(out) != "foreign_pg" {
		t.Errorf("port groups after delete = %q (%v): rows tieracl does not own must survive", out, err)
	}
	out, err = bed.NBCtl(ctx, "--bare", "--columns=name", "list", "Address_Set")
	if err != nil || strings.TrimSpace(out) != "foreign_as" {
		t.Errorf("address sets after delete = %q (%v)", out, err)
	}
}

func aclUUIDsByName(t *testing.T, ctx context.Context, c client.Client) map[string]string {
	t.Helper()
	var acls []*nbdb.ACL
	if err := c.List(ctx, &acls); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, a := range acls {
		out[*a.Name] = a.UUID
	}
	if len(out) != 2 {
		t.Fatalf("ACLs in NB: %v", out)
	}
	return out
}
