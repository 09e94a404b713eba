package nbsync_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// TestReadAddressSets: the cache holds address sets without their addresses; ReadAddressSets reads
// them from NB, for sets of none, one (which OVSDB sends as a bare atom) and several.
func TestReadAddressSets(t *testing.T) {
	ctx, c, bed := startNB(t)
	if _, err := bed.NBCtl(ctx, "create", "Address_Set", "name=foreign_as", "addresses=10.9.9.9"); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"as_none": {}, "as_one": {"10.0.0.1"}, "as_three": {"10.0.0.1", "10.0.0.2", "fd00::1"}}
	s := &nbrows.State{}
	for name, addrs := range want {
		s.AddressSets = append(s.AddressSets, nbrows.AddressSet{Name: name, Addresses: addrs, ExternalIDs: ids(name)})
	}
	sync(t, ctx, c, s)

	sets, err := nbsync.ReadAddressSets(ctx, c, true)
	if err != nil {
		t.Fatal(err)
	}
	all, err := nbsync.ReadAddressSets(ctx, c, false)
	if err != nil || len(all) != len(want)+1 {
		t.Errorf("every address set: %d sets (%v), want %d", len(all), err, len(want)+1)
	}
	got := map[string][]string{}
	for _, as := range sets {
		slices.Sort(as.Addresses)
		got[as.Name] = as.Addresses
		if as.UUID == "" || as.ExternalIDs[nbrows.KeyOwnerName] != as.Name {
			t.Errorf("set %s read as %+v", as.Name, as)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadAddressSets = %v, want %v", got, want)
	}

	var cached []*nbdb.AddressSet
	if err := c.List(ctx, &cached); err != nil {
		t.Fatal(err)
	}
	for _, as := range cached {
		if len(as.Addresses) != 0 {
			t.Errorf("the cache holds the addresses of %s: %v", as.Name, as.Addresses)
		}
	}
}
