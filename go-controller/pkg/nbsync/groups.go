package nbsync

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// groupColumns are the columns a port group is read with from NB: the cache holds all but ports.
var groupColumns = []string{"_uuid", "name", "acls", "external_ids", "ports"}

// ReadPortGroups reads port groups with their ports from NB, not from the client's cache (which
// Monitor keeps without ports): the groups tieracl owns when ownedOnly, else every group.
func ReadPortGroups(ctx context.Context, c client.Client, ownedOnly bool) ([]*nbdb.PortGroup, error) {
	rows, err := selectRows(ctx, c, nbdb.PortGroupTable, ownedOnly, groupColumns)
	if err != nil {
		return nil, err
	}
	var out []*nbdb.PortGroup
	for _, row := range rows {
		g, err := groupOfRow(row)
		if err != nil {
			return nil, fmt.Errorf("read port groups: %w", err)
		}
		out = append(out, g)
	}
	return out, nil
}

// groupOfRow is a port group from a select's row of groupColumns.
func groupOfRow(row ovsdb.Row) (*nbdb.PortGroup, error) {
	uuid, ok := row["_uuid"].(ovsdb.UUID)
	if !ok {
		return nil, fmt.Errorf("a port group row without a UUID: %v", row)
	}
	g := &nbdb.PortGroup{UUID: uuid.GoUUID, ExternalIDs: stringMap(row["external_ids"]), ACLs: RefsOf(row["acls"]),
		Ports: RefsOf(row["ports"])}
	g.Name, _ = row["name"].(string)
	return g, nil
}

// RefsOf reads a column of row references as a select returns it (OVSDB sends a set of one as its
// element): their UUIDs.
func RefsOf(v any) []string {
	switch x := v.(type) {
	case ovsdb.UUID:
		return []string{x.GoUUID}
	case ovsdb.OvsSet:
		out := make([]string, 0, len(x.GoSet))
		for _, e := range x.GoSet {
			if u, ok := e.(ovsdb.UUID); ok {
				out = append(out, u.GoUUID)
			}
		}
		return out
	}
	return []string{}
}

// portUUIDs maps every logical switch port's name to its UUID, from the cache's own rows (not the copy
// of every port List makes).
func portUUIDs(c client.Client) map[string]string {
	t := c.Cache().Table(nbdb.LogicalSwitchPortTable)
	if t == nil {
		return map[string]string{}
	}
	rows := t.RowsShallow()
	out := make(map[string]string, len(rows))
	for uuid, m := range rows {
		out[m.(*nbdb.LogicalSwitchPort).Name] = uuid
	}
	return out
}

// PortUUID finds the UUID of the logical switch port of that name; ok is false when NB holds none.
type PortUUID func(name string) (uuid string, ok bool)

// inMap is the PortUUID of a map of port names to UUIDs.
func inMap(ports map[string]string) PortUUID {
	return func(name string) (string, bool) {
		uuid, ok := ports[name]
		return uuid, ok
	}
}

// memberUUIDs maps a desired group's port names to their logical switch ports' UUIDs, in the group's
// order; the ports NB does not hold are left out (a group can hold only ports NB has) and counted.
func memberUUIDs(names []string, port PortUUID) (uuids []string, missing int) {
	uuids = make([]string, 0, len(names))
	for _, name := range names {
		if uuid, ok := port(name); ok {
			uuids = append(uuids, uuid)
		} else {
			missing++
		}
	}
	return uuids, missing
}
