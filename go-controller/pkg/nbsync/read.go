package nbsync

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// ReadCurrent reads what Plan needs from a client monitored with Monitor: the owned ACLs and meters with
// their bands, and every port, from the cache; the owned port groups with their ports and address sets
// with their addresses from NB itself, as the cache holds neither.
func ReadCurrent(ctx context.Context, c client.Client) (*Current, error) {
	return readCurrent(ctx, c, nil)
}

// readCurrent is ReadCurrent; with desired, NB compares the port groups and address sets with desired's
// instead of sending their members (readGroupsAgainst, readSetsAgainst), and those it finds equal have
// desired's.
func readCurrent(ctx context.Context, c client.Client, desired *nbrows.State) (*Current, error) {
	cur := &Current{Ports: portUUIDs(c)}
	acls := c.WhereCache(func(a *nbdb.ACL) bool { return isOwned(a.ExternalIDs) })
	if err := acls.List(ctx, &cur.ACLs); err != nil {
		return nil, err
	}
	var err error
	if desired != nil {
		cur.PortGroups, err = readGroupsAgainst(ctx, c, desired, cur.Ports)
	} else {
		cur.PortGroups, err = ReadPortGroups(ctx, c, true)
	}
	if err != nil {
		return nil, err
	}
	if desired != nil {
		cur.AddressSets, err = readSetsAgainst(ctx, c, desired)
	} else {
		cur.AddressSets, err = ReadAddressSets(ctx, c, true)
	}
	if err != nil {
		return nil, err
	}
	var meters []*nbdb.Meter
	if err := c.List(ctx, &meters); err != nil {
		return nil, err
	}
	for _, m := range meters {
		if !isOwned(m.ExternalIDs) {
			cur.ForeignMeters = append(cur.ForeignMeters, m.Name)
			continue
		}
		cur.Meters = append(cur.Meters, m)
		for _, uuid := range m.Bands {
			band := &nbdb.MeterBand{UUID: uuid}
			if err := c.Get(ctx, band); err != nil {
				return nil, fmt.Errorf("meter %s: band %s: %w", m.Name, uuid, err)
			}
			cur.MeterBands = append(cur.MeterBands, band)
		}
	}
	return cur, nil
}

// CacheLookup finds rows by name through the schema's name index of each table in the cache: one index
// probe and one copy of the row found, whatever the size of the table.
func CacheLookup(c *cache.TableCache) Lookup {
	return func(table, name string) (string, bool) {
		var probe model.Model
		switch table {
		case nbdb.AddressSetTable:
			probe = &nbdb.AddressSet{Name: name}
		case nbdb.PortGroupTable:
			probe = &nbdb.PortGroup{Name: name}
		case nbdb.LogicalSwitchPortTable:
			probe = &nbdb.LogicalSwitchPort{Name: name}
		default:
			return "", false
		}
		t := c.Table(table)
		if t == nil {
			return "", false
		}
		uuid, m, err := t.RowByModel(probe)
		return uuid, err == nil && m != nil
	}
}
