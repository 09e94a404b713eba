package nbsync_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

func TestNamedInMatches(t *testing.T) {
	for _, tc := range []struct {
		matches []string
		want    []string
	}{
		{nil, nil},
		{[]string{"outport == @pg_x && ip4.src == $as_x_v4"}, []string{"as_x_v4"}},
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
	if _, err := bed.NBCtl(ctx, "destroy", "Address_Set", "as_x_v4"); err != nil {
		t.Fatal(err)
	}
	cur, err = nbsync.ReadCurrent(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if ahead, err := nbsync.CreateSetsAhead(ctx, c, cur, desired, 4); err != nil || ahead.Ops != 0 {
		t.Errorf("a set an ACL names went ahead: %+v (%v)", ahead, err)
	}
	if stats := sync(t, ctx, c, desired); stats.Created != 1 || stats.Ops != 1 {
		t.Errorf("restoring the set: %+v, want it created in one operation", stats)
	}
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
