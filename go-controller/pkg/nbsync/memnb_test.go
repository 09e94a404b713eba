package nbsync_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/test/memnb"
)

// These tests run ReadCurrent, Plan and Commit against libovsdb's in-process OVSDB server with the NB
// schema: hermetic (no OVN, no root), so `make unit` covers the reading and writing, while the tests
// against a real ovsdb-server (sync_test.go) stay the integration tier that also checks OVSDB's garbage
// collection.

// startMemNB serves an empty NB in this process and connects to it with the controller's monitor, with
// the switch "sw" holding the ports ns_a, ns_b and ns_c.
func startMemNB(t *testing.T) (context.Context, client.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	c, err := memnb.Connect(ctx, memnb.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Disconnect)
	if err := memnb.AddPorts(ctx, c, "ns_a", "ns_b", "ns_c"); err != nil {
		t.Fatal(err)
	}
	return ctx, c
}

// TestMemNBReadAndCommit writes a state, reads it back, moves members and addresses, and checks that
// each plan holds exactly the operations the change needs.
func TestMemNBReadAndCommit(t *testing.T) {
	ctx, c := startMemNB(t)

	first := sync(t, ctx, c, state([]string{"ns_a", "ns_b", "ns_later"}, []string{"10.0.0.1", "10.0.0.2"}, 100))
	if first.Created != 4 || first.PortsMissing != 1 || first.Commit <= 0 {
		t.Errorf("first sync: %+v, want 4 rows created, 1 port missing and a commit time", first)
	}
	cur, err := nbsync.ReadCurrent(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := aclNames(cur); !slices.Equal(got, []string{"anp:x:eg:0", "anp:x:in:0"}) {
		t.Errorf("owned ACLs read back: %v", got)
	}
	if len(cur.PortGroups) != 1 || len(cur.PortGroups[0].Ports) != 2 || len(cur.PortGroups[0].ACLs) != 2 {
		t.Errorf("owned port group read back: %+v, want 2 ports and 2 ACLs", cur.PortGroups)
	}
	if len(cur.AddressSets) != 1 || !slices.Equal(sorted(cur.AddressSets[0].Addresses), []string{"10.0.0.1", "10.0.0.2"}) {
		t.Errorf("owned address set read back: %+v, want its two addresses from NB", cur.AddressSets)
	}

	// Planned from what was read, an unchanged state is no operation at all.
	if ops, _, err := nbsync.Plan(cur, state([]string{"ns_a", "ns_b", "ns_later"},
		[]string{"10.0.0.1", "10.0.0.2"}, 100)); err != nil || len(ops) != 0 {
		t.Errorf("plan of an unchanged state: %d operations (%v), want none", len(ops), err)
	}

	// The missing port appears: one insert into its group.
	if err := memnb.AddPorts(ctx, c, "ns_later"); err != nil {
		t.Fatal(err)
	}
	joined := sync(t, ctx, c, state([]string{"ns_a", "ns_b", "ns_later"}, []string{"10.0.0.1", "10.0.0.2"}, 100))
	if joined.Mutations != 1 || joined.PortsMissing != 0 || joined.Ops != 1 {
		t.Errorf("late port: %+v, want one port-group insert", joined)
	}

	// Members and addresses move: mutations in place, nothing created, updated or deleted.
	moved := sync(t, ctx, c, state([]string{"ns_b", "ns_c"}, []string{"10.0.0.2", "10.0.0.3"}, 100))
	if moved.Mutations != 2 || moved.Created+moved.Updated+moved.Deleted != 0 ||
		moved.AddressesAdded != 1 || moved.AddressesRemoved != 1 {
		t.Errorf("membership change: %+v, want one in-place mutation of each of the 2 rows and nothing else", moved)
	}

	// A changed priority updates both ACLs in place.
	reprioritized := sync(t, ctx, c, state([]string{"ns_b", "ns_c"}, []string{"10.0.0.2", "10.0.0.3"}, 200))
	if reprioritized.Updated != 2 || reprioritized.Created != 0 {
		t.Errorf("priority change: %+v, want 2 ACLs updated in place", reprioritized)
	}
}

// TestMemNBCommit: Commit sends nothing when there is nothing to send or an error came before, and
// reports a transaction NB refuses.
func TestMemNBCommit(t *testing.T) {
	ctx, c := startMemNB(t)
	if stats, err := nbsync.Commit(ctx, c, nil, nbsync.Stats{Ops: 0}, nil); err != nil || stats.Commit != 0 {
		t.Errorf("empty commit: %+v, %v; want nothing sent", stats, err)
	}
	refused := []ovsdb.Operation{{Op: ovsdb.OperationDelete, Table: "No_Such_Table", Where: []ovsdb.Condition{}}}
	if _, err := nbsync.Commit(ctx, c, refused, nbsync.Stats{}, nil); err == nil {
		t.Error("a transaction on an unknown table was committed without error")
	}
	var acls []*nbdb.ACL
	if err := c.List(ctx, &acls); err != nil || len(acls) != 0 {
		t.Errorf("NB holds %d ACLs after commits that wrote nothing (%v)", len(acls), err)
	}
}

func aclNames(cur *nbsync.Current) []string {
	var names []string
	for _, a := range cur.ACLs {
		if a.Name != nil {
			names = append(names, *a.Name)
		}
	}
	return sorted(names)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
