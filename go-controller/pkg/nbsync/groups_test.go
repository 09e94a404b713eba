package nbsync_test

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// TestReadPortGroups: the cache holds port groups without their ports; ReadPortGroups reads them from
// NB, for groups of none, one (which OVSDB sends as a bare reference) and several ports.
func TestReadPortGroups(t *testing.T) {
	ctx, c, bed := startNB(t)
	if _, err := bed.NBCtl(ctx, "pg-add", "foreign_pg", "ns_a"); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"pg_none": {}, "pg_one": {"ns_a"}, "pg_three": {"ns_a", "ns_b", "ns_c"}}
	s := &nbrows.State{}
	for name, ports := range want {
		s.PortGroups = append(s.PortGroups, nbrows.PortGroup{Name: name, Ports: ports, ExternalIDs: ids(name)})
	}
	sync(t, ctx, c, s)

	owned, err := nbsync.ReadPortGroups(ctx, c, true)
	if err != nil {
		t.Fatal(err)
	}
	all, err := nbsync.ReadPortGroups(ctx, c, false)
	if err != nil || len(all) != len(want)+1 {
		t.Errorf("every port group: %d groups (%v), want %d", len(all), err, len(want)+1)
	}
	names := portNames(t, ctx, c)
	got := map[string][]string{}
	for _, g := range owned {
		if g.UUID == "" || g.ExternalIDs[nbrows.KeyOwnerName] != g.Name {
			t.Errorf("group %s read as %+v", g.Name, g)
		}
		got[g.Name] = []string{}
		for _, uuid := range g.Ports {
			got[g.Name] = append(got[g.Name], names[uuid])
		}
		slices.Sort(got[g.Name])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadPortGroups = %v, want %v", got, want)
	}

	var cached []*nbdb.PortGroup
	if err := c.List(ctx, &cached); err != nil {
		t.Fatal(err)
	}
	for _, g := range cached {
		if len(g.Ports) != 0 {
			t.Errorf("the cache holds the ports of %s: %v", g.Name, g.Ports)
		}
	}
}

// Ops and Sync let NB compare the port groups with desired, and DifferingPortGroups names those that
// differ with their ports: ports someone else set, added or removed are found and put right, and a
// group deleted behind tieracl's back is created again. A member without a logical switch port is
// not expected in NB.
func TestGroupsComparedInNB(t *testing.T) {
	ctx, c, bed := startNB(t)
	members := []string{"ns_a", "ns_b", "ns_later"}
	desired := state(members, []string{"10.0.0.1"}, 100)
	sync(t, ctx, c, desired)
	differing := func() []*nbdb.PortGroup {
		t.Helper()
		uuids := map[string]string{}
		for uuid, name := range portNames(t, ctx, c) {
			uuids[name] = uuid
		}
		d, err := nbsync.DifferingPortGroups(ctx, c, desired.PortGroups, func(name string) (string, bool) {
			uuid, ok := uuids[name]
			return uuid, ok
		})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if ops, _, err := nbsync.Ops(ctx, c, desired); err != nil || len(ops) != 0 {
		t.Fatalf("unchanged NB: %d operations (%v)", len(ops), err)
	}
	if d := differing(); len(d) != 0 {
		t.Fatalf("unchanged NB: %d groups differ", len(d))
	}

	names := portNames(t, ctx, c)
	uuidOf := map[string]string{}
	for uuid, name := range names {
		uuidOf[name] = uuid
	}
	for _, tt := range []struct {
		name    string
		edit    []string
		nbPorts []string // the ports NB's group holds after the edit
		ops     int      // what puts it right
	}{
		{"ports set by someone else", []string{"pg-set-ports", "pg_x", "ns_c"}, []string{"ns_c"}, 1},
		{"a port removed", []string{"remove", "Port_Group", "pg_x", "ports", uuidOf["ns_a"]}, []string{"ns_b"}, 1},
		{"a foreign port added", []string{"add", "Port_Group", "pg_x", "ports", uuidOf["ns_c"]},
			[]string{"ns_a", "ns_b", "ns_c"}, 1},
		// Both ACLs, which only the group held, are collected with it: the group and the ACLs come back.
		{"the group deleted", []string{"destroy", "Port_Group", "pg_x"}, nil, 3},
	} {
		if out, err := bed.NBCtl(ctx, tt.edit...); err != nil {
			t.Fatalf("%s: %v: %s", tt.name, err, out)
		}
		if tt.nbPorts == nil { // the plan starts from the cache's ACLs: wait until it has dropped them
			waitFor(t, tt.name+": the cache drops the group's ACLs", func() bool {
				var acls []*nbdb.ACL
				return c.List(ctx, &acls) == nil && len(acls) == 0
			})
		}
		ops, _, err := nbsync.Ops(ctx, c, desired)
		if err != nil || len(ops) != tt.ops {
			t.Errorf("%s: %d operations (%v), want %d: %v", tt.name, len(ops), err, tt.ops, ops)
		}
		if tt.nbPorts != nil && len(ops) > 0 {
			if ops[0].Op != ovsdb.OperationMutate || ops[0].Table != nbdb.PortGroupTable {
				t.Errorf("%s: %+v, want a mutation of the group's ports", tt.name, ops[0])
			}
			d := differing()
			var got []string
			for _, g := range d {
				for _, uuid := range g.Ports {
					got = append(got, names[uuid])
				}
			}
			slices.Sort(got)
			if len(d) != 1 || d[0].Name != "pg_x" || !slices.Equal(got, tt.nbPorts) {
				t.Errorf("%s: DifferingPortGroups = %d groups with ports %v, want pg_x with %v", tt.name, len(d), got,
					tt.nbPorts)
			}
		}
		sync(t, ctx, c, desired)
		if out, err := bed.NBCtl(ctx, "--bare", "--columns=ports", "list", "Port_Group", "pg_x"); err != nil ||
			len(strings.Fields(out)) != 2 {
			t.Errorf("%s: after the sync NB's group holds %q (%v), want the 2 ports NB has", tt.name, out, err)
		}
	}
}

// portNames maps the logical switch ports' UUIDs to their names, from the cache.
func portNames(t *testing.T, ctx context.Context, c client.Client) map[string]string {
	t.Helper()
	var lsps []*nbdb.LogicalSwitchPort
	if err := c.List(ctx, &lsps); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range lsps {
		out[p.UUID] = p.Name
	}
	return out
}

// waitFor waits up to 5 s for cond.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5 s", what)
		}
	}
}
