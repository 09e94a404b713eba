package nbsync

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// readGroupsAgainst returns the owned port groups with their ports, as ReadPortGroups does, but lets
// NB compare rather than send (compareGroups): the groups NB finds equal have desired's ports (the
// UUIDs of those ports NB has), and an owned group desired does not hold is returned without its
// ports, which its deletion does not need.
func readGroupsAgainst(ctx context.Context, c client.Client, desired *nbrows.State, ports map[string]string,
) ([]*nbdb.PortGroup, error) {
	equal, differ, undesired, err := compareGroups(ctx, c, desired.PortGroups, inMap(ports))
	return append(append(equal, differ...), undesired...), err
}

// DifferingPortGroups returns, with their ports, the owned groups whose ports in NB are not want's (by
// name, mapped to UUIDs by port, which does not find the ports NB lacks); NB compares them
// (compareGroups). Owned groups want lacks are left out.
func DifferingPortGroups(ctx context.Context, c client.Client, want []nbrows.PortGroup, port PortUUID,
) ([]*nbdb.PortGroup, error) {
	_, differ, _, err := compareGroups(ctx, c, want, port)
	return differ, err
}

// compareGroups sorts the owned port groups the cache lists (without their ports: Monitor leaves them
// out) by how their ports compare with want's, as compareSets does for address sets: for each group
// the cache lists and want holds, one select asks NB whether its ports are the UUIDs of want's ports
// (port maps a name to its UUID; compareInNB), and those (equal) get these UUIDs. Only the
// others (differ) are read whole; a group the selects no longer find is in neither. The groups want
// lacks (undesired) come from the cache, without their ports.
func compareGroups(ctx context.Context, c client.Client, want []nbrows.PortGroup, port PortUUID,
) (equal, differ, undesired []*nbdb.PortGroup, err error) {
	var cached []*nbdb.PortGroup
	owned := c.WhereCache(func(g *nbdb.PortGroup) bool { return isOwned(g.ExternalIDs) })
	if err := owned.List(ctx, &cached); err != nil {
		return nil, nil, nil, err
	}
	byName := make(map[string]*nbrows.PortGroup, len(want))
	for i := range want {
		byName[want[i].Name] = &want[i]
	}
	var asked []*nbdb.PortGroup
	var uuids []string
	var values []json.RawMessage
	var members [][]string
	for _, g := range cached {
		d, ok := byName[g.Name]
		if !ok {
			undesired = append(undesired, g)
			continue
		}
		ports, _ := memberUUIDs(d.Ports, port)
		asked, uuids, members = append(asked, g), append(uuids, g.UUID), append(members, ports)
		values = append(values, uuidSetJSON(ports))
	}
	same, rows, err := compareInNB(ctx, c, nbdb.PortGroupTable, "ports", uuids, values, groupColumns)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("port groups: %w", err)
	}
	for i, g := range asked {
		if same[i] {
			g.Ports = members[i]
			equal = append(equal, g)
		}
	}
	for _, row := range rows {
		g, err := groupOfRow(row)
		if err != nil {
			return nil, nil, nil, err
		}
		differ = append(differ, g)
	}
	return equal, differ, undesired, nil
}

// uuidSetJSON encodes row references as an OVSDB set, ["set", [["uuid", U], ...]], by hand for the
// reason setJSON gives. The UUIDs are NB's own (hex digits and dashes), which need no escaping.
func uuidSetJSON(uuids []string) json.RawMessage {
	out := make([]byte, 0, 9+len(uuids)*48)
	out = append(out, `["set",[`...)
	for i, u := range uuids {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(append(append(out, `["uuid","`...), u...), `"]`...)
	}
	return append(out, "]]"...)
}
