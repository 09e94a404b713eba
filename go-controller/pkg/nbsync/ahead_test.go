package nbsync_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
)

func TestNamedInMatches(t *testing.T) {
	for _, tc := range []struct {
		matches []string
		want    []string
	}{
		{nil, nil},
		{[]string{"outport == @pg_x && ip4.src == $as_x_v4"}, []string{"as_x_v4", "pg_x"}},
		{[]string{"ip4.dst == $pg_y_ip4 || ip6.dst == $pg_y_ip6"}, []string{"pg_y_ip4", "pg_y_ip6"}},
		{[]string{"ip4.src == {$a_1, $b_2} && ip6.src == $c"}, []string{"a_1", "b_2", "c"}},
		{[]string{"ip4.src == $a", "ip4.dst == $a && tcp.dst == 80"}, []string{"a"}},
		{[]string{"ip4.src == 10.0.0.0/8"}, nil},
	} {
		var acls []*nbdb.ACL
		for _, m := range tc.matches {
			acls = append(acls, &nbdb.ACL{Match: m})
		}
		got := slices.Sorted(maps.Keys(nbsync.NamedInMatches(acls)))
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: names %v, want %v", tc.matches, got, tc.want)
		}
	}
}

// New address sets go ahead of the rest of a whole-state write, in transactions bounded by their
// addresses, and the write that follows leaves them be; a set an ACL in NB already names does not.
func TestSetsAhead(t *testing.T) {
	ctx, c, bed := startNB(t)
	desired := state([]string{"ns_a"}, []string{"10.0.0.1", "10.0.0.2"}, 100)
	desired.AddressSets = append(desired.AddressSets,
		nbrows.AddressSet{Name: "as_y_v4", Addresses: []string{"10.0.1.1", "10.0.1.2", "10.0.1.3"}, ExternalIDs: ids("y")},
		nbrows.AddressSet{Name: "as_z_v4", Addresses: []string{"10.0.2.1", "10.0.2.2", "10.0.2.3"}, ExternalIDs: ids("z")})
	all, _, err := nbsync.Ops(ctx, c, desired)
	if err != nil {
		t.Fatal(err)
	}

	cur, err := nbsync.ReadCurrent(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	ahead, err := nbsync.CreateSetsAhead(ctx, c, cur, desired, 4)
	if err != nil {
		t.Fatal(err)
	}
	if ahead.Created != 3 || ahead.Ops != 3 || ahead.AddressesAdded != 8 || !ahead.Committed {
		t.Errorf("sets ahead: %+v, want 3 sets of 8 addresses created", ahead)
	}
	for table, want := range map[string]string{"Address_Set": "as_x_v4 as_y_v4 as_z_v4", "ACL": "", "Port_Group": ""} {
		out, err := bed.NBCtl(ctx, "--bare", "--columns=name", "list", table)
		if got := strings.Join(slices.Sorted(slices.Values(strings.Fields(out))), " "); err != nil || got != want {
			t.Errorf("%s in NB after the sets ahead: %q (%v), want %q", table, got, err, want)
		}
	}
	rest, _, err := nbsync.Plan(cur, desired)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range rest {
		if op.Table == nbdb.AddressSetTable {
			t.Errorf("the write after the sets ahead touches a set again: %+v", op)
		}
	}
	if len(rest)+ahead.Ops != len(all) {
		t.Errorf("%d operations ahead and %d after, want the %d of one plan", ahead.Ops, len(rest), len(all))
	}
	sync(t, ctx, c, desired)

	// A set deleted from under the ACL that names it is restored with the rest, not ahead.
	restoredWithTheRest(t, ctx, c, bed, desired, "Address_Set", "as_x_v4",
		func(cur *nbsync.Current) (nbsync.Stats, error) {
			return nbsync.CreateSetsAhead(ctx, c, cur, desired, 4)
		})
}

// restoredWithTheRest deletes a row an owned ACL names and checks that ahead, on what NB holds then,
// creates nothing, and that a sync restores the row in one operation.
func restoredWithTheRest(t *testing.T, ctx context.Context, c client.Client, bed *ovnsandbox.Bed,
	desired *nbrows.State, table, name string, ahead func(*nbsync.Current) (nbsync.Stats, error)) {
	t.Helper()
	if _, err := bed.NBCtl(ctx, "destroy", table, name); err != nil {
		t.Fatal(err)
	}
	cur, err := nbsync.ReadCurrent(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if stats, err := ahead(cur); err != nil || stats.Ops != 0 {
		t.Errorf("%s %s, which an ACL names, went ahead: %+v (%v)", table, name, stats, err)
	}
	if stats := sync(t, ctx, c, desired); stats.Created != 1 || stats.Ops != 1 {
		t.Errorf("restoring %s %s: %+v, want it created in one operation", table, name, stats)
	}
}

// New port groups go ahead too, with their ports and no ACLs, in transactions bounded by their ports;
// the write that follows adds their ACLs to them. A group an ACL in NB names waits for it.
func TestGroupsAhead(t *testing.T) {
	ctx, c, bed := startNB(t)
	desired := state([]string{"ns_a", "ns_b"}, []string{"10.0.0.1"}, 100)
	desired.PortGroups = append(desired.PortGroups,
		nbrows.PortGroup{Name: "pg_y", Ports: []string{"ns_b", "ns_c"}, ExternalIDs: ids("y")},
		nbrows.PortGroup{Name: "pg_z", Ports: []string{"ns_c"}, ExternalIDs: ids("z")})
	desired.ACLs = append(desired.ACLs, nbrows.ACL{PortGroup: "pg_y", Name: "anp:y:eg:0", Tier: 1, Priority: 100,
		Direction: nbrows.FromLport, Match: "inport == @pg_y && ip4.dst == $pg_z_ip4", Action: nbrows.ActionDrop,
		ExternalIDs: ids("y")})
	all, _, err := nbsync.Ops(ctx, c, desired)
	if err != nil {
		t.Fatal(err)
	}

	cur, err := nbsync.ReadCurrent(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	ahead, err := nbsync.CreateAhead(ctx, c, cur, desired, 2)
	if err != nil {
		t.Fatal(err)
	}
	if ahead.Created != 4 || ahead.Ops != 4 || !ahead.Committed {
		t.Errorf("ahead: %+v, want a set and 3 groups created", ahead)
	}
	for group, want := range map[string]int{"pg_x": 2, "pg_y": 2, "pg_z": 1} {
		ports, err := bed.NBCtl(ctx, "--bare", "--columns=ports", "list", "Port_Group", group)
		if n := len(strings.Fields(ports)); err != nil || n != want {
			t.Errorf("%s ahead: %d ports (%v), want %d", group, n, err, want)
		}
	}
	if out, err := bed.NBCtl(ctx, "--bare", "--columns=name", "list", "ACL"); err != nil || out != "" {
		t.Errorf("ACLs in NB after the groups ahead: %q (%v), want none", out, err)
	}
	rest, _, err := nbsync.Plan(cur, desired)
	if err != nil {
		t.Fatal(err)
	}
	mutations := 0
	for _, op := range rest {
		if op.Table != nbdb.PortGroupTable {
			continue
		}
		if op.Op != "mutate" || len(op.Mutations) != 1 || op.Mutations[0].Column != "acls" {
			t.Errorf("the write after the groups ahead: %+v, want only mutations of their ACLs", op)
		}
		mutations++
	}
	// One insert of a group that has ACLs became an insert ahead and a mutation after.
	if mutations != 2 || len(rest)+ahead.Ops != len(all)+mutations {
		t.Errorf("%d operations ahead and %d after (%d mutations), want the %d of one plan and 2", ahead.Ops,
			len(rest), mutations, len(all))
	}
	sync(t, ctx, c, desired)

	// A group deleted from under an ACL that names it ($pg_z_ip4) is restored with the rest, not ahead.
	restoredWithTheRest(t, ctx, c, bed, desired, "Port_Group", "pg_z",
		func(cur *nbsync.Current) (nbsync.Stats, error) { return nbsync.CreateAhead(ctx, c, cur, desired, 2) })
}

// Ops and Sync let NB compare the sets with desired: an address someone else added is found and
// removed, and a set deleted behind tieracl's back is created again, whether the cache still lists
// it or not.
func TestSetsComparedInNB(t *testing.T) {
	ctx, c, bed := startNB(t)
	desired := state([]string{"ns_a"}, []string{"10.0.0.1", "10.0.0.2"}, 100)
	sync(t, ctx, c, desired)
	if ops, _, err := nbsync.Ops(ctx, c, desired); err != nil || len(ops) != 0 {
		t.Fatalf("unchanged NB: %d operations (%v)", len(ops), err)
	}

	if _, err := bed.NBCtl(ctx, "add", "Address_Set", "as_x_v4", "addresses", "10.9.9.9"); err != nil {
		t.Fatal(err)
	}
	ops, stats, err := nbsync.Ops(ctx, c, desired)
	if err != nil || len(ops) != 1 || stats.AddressesRemoved != 1 || stats.AddressesAdded != 0 {
		t.Errorf("a foreign address: %d operations %+v (%v), want the one removal", len(ops), stats, err)
	}
	sync(t, ctx, c, desired)

	if _, err := bed.NBCtl(ctx, "destroy", "Address_Set", "as_x_v4"); err != nil {
		t.Fatal(err)
	}
	ops, stats, err = nbsync.Ops(ctx, c, desired)
	if err != nil || len(ops) != 1 || stats.Created != 1 || stats.AddressesAdded != 2 {
		t.Errorf("a deleted set: %d operations %+v (%v), want it created with its 2 addresses", len(ops), stats, err)
	}
	sync(t, ctx, c, desired)
}
