package controller

import (
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// cacheOnlyNB is an NB of which only the cache is used.
type cacheOnlyNB struct {
	NB
	cache *cache.TableCache
}

func (n cacheOnlyNB) Cache() *cache.TableCache { return n.cache }

// A name index starts from the rows the cache holds, follows the cache's inserts, renames and deletes
// both ways (UUID to name, name to UUID), and finds a row it has not heard of yet in the cache itself.
func TestRowNamesFollowTheCache(t *testing.T) {
	db, err := nbsync.DatabaseModel()
	if err != nil {
		t.Fatal(err)
	}
	tc, err := cache.NewTableCache(db, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go tc.Run(stop)
	lsps := tc.Table(nbdb.LogicalSwitchPortTable)
	const u1, u2, u3 = "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002",
		"00000000-0000-0000-0000-000000000003"
	if err := lsps.Create(u1, &nbdb.LogicalSwitchPort{UUID: u1, Name: "ns_a"}, true); err != nil {
		t.Fatal(err)
	}
	const acl = "00000000-0000-0000-0000-000000000004"
	aclName := "anp:guard:in:0"
	if err := tc.Table(nbdb.ACLTable).Create(acl, &nbdb.ACL{UUID: acl, Name: &aclName}, true); err != nil {
		t.Fatal(err)
	}
	c := &Controller{cfg: Config{NB: cacheOnlyNB{cache: tc}}}
	ports := c.indexRowNames(nbdb.LogicalSwitchPortTable, portRow)
	acls := c.indexRowNames(nbdb.ACLTable, aclRow)
	if name, ok := c.nameOf(acls, acl); !ok || name != aclName {
		t.Errorf("ACL index: %q (%v), want %q", name, ok, aclName)
	}
	update := func(uuid string, u ovsdb.RowUpdate2) {
		t.Helper()
		if err := tc.Populate2(ovsdb.TableUpdates2{nbdb.LogicalSwitchPortTable: {uuid: &u}}); err != nil {
			t.Fatal(err)
		}
	}
	indexed := func(uuid string) (string, bool) {
		ports.mu.RLock()
		defer ports.mu.RUnlock()
		name, ok := ports.names[uuid]
		return name, ok
	}
	for _, step := range []struct {
		name   string
		do     func()
		uuid   string
		want   string // "" when the index must not hold the port
		cached bool   // portNameOf finds it, in the index or in the cache
		gone   string // a name uuidOf must no longer find
	}{
		{"seeded from the cache", func() {}, u1, "ns_a", true, ""},
		{"inserted", func() { update(u2, ovsdb.RowUpdate2{Insert: &ovsdb.Row{"name": "ns_b"}}) }, u2, "ns_b", true, ""},
		{"renamed", func() { update(u1, ovsdb.RowUpdate2{Modify: &ovsdb.Row{"name": "ns_a2"}}) }, u1, "ns_a2", true,
			"ns_a"},
		{"deleted", func() { update(u2, ovsdb.RowUpdate2{Delete: &ovsdb.Row{}}) }, u2, "", false, "ns_b"},
		{"in the cache only", func() {
			if err := lsps.Create(u3, &nbdb.LogicalSwitchPort{UUID: u3, Name: "ns_c"}, true); err != nil {
				t.Fatal(err)
			}
		}, u3, "", true, "ns_c"},
	} {
		step.do()
		deadline := time.Now().Add(5 * time.Second)
		for {
			name, ok := indexed(step.uuid)
			if (step.want == "" && !ok) || (ok && name == step.want) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: index holds %q (%v), want %q", step.name, name, ok, step.want)
			}
			time.Sleep(time.Millisecond)
		}
		if uuid, ok := ports.uuidOf(step.want); step.want != "" && (!ok || uuid != step.uuid) {
			t.Errorf("%s: uuidOf(%s) = %q (%v), want %s", step.name, step.want, uuid, ok, step.uuid)
		}
		if uuid, ok := ports.uuidOf(step.gone); ok {
			t.Errorf("%s: uuidOf(%s) = %s, want none", step.name, step.gone, uuid)
		}
		if _, ok := c.nameOf(ports, step.uuid); ok != step.cached {
			t.Errorf("%s: nameOf found it: %v, want %v", step.name, ok, step.cached)
		}
		if _, ok := c.nameOf(acls, step.uuid); ok {
			t.Errorf("%s: the ACL index found a port", step.name)
		}
	}
}
