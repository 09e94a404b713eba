package nbsync

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// ReadAddressSets reads address sets with their addresses from NB, not from the client's cache (which
// Monitor keeps without addresses): the sets tieracl owns when ownedOnly, else every set.
func ReadAddressSets(ctx context.Context, c client.Client, ownedOnly bool) ([]*nbdb.AddressSet, error) {
	where := []ovsdb.Condition{}
	if ownedOnly { // other clients' sets can be many and large: leave them on the server
		where = append(where, ovsdb.NewCondition("external_ids", ovsdb.ConditionIncludes,
			ovsdb.OvsMap{GoMap: map[any]any{nbrows.KeyManagedBy: nbrows.ManagedByValue}}))
	}
	op := ovsdb.Operation{Op: ovsdb.OperationSelect, Table: nbdb.AddressSetTable, Where: where,
		Columns: []string{"_uuid", "name", "external_ids", "addresses"}}
	results, err := c.Transact(ctx, op)
	if err == nil && len(results) == 1 && results[0].Error != "" {
		err = fmt.Errorf("%s: %s", results[0].Error, results[0].Details)
	}
	if err != nil {
		return nil, fmt.Errorf("read address sets: %w", err)
	}
	if len(results) != 1 {
		return nil, fmt.Errorf("read address sets: %d results for one operation", len(results))
	}
	var out []*nbdb.AddressSet
	for _, row := range results[0].Rows {
		s, err := setOfRow(row)
		if err != nil {
			return nil, fmt.Errorf("read address sets: %w", err)
		}
		out = append(out, s)
	}
	return out, nil
}

// setOfRow is an address set from a select's row of its _uuid, name, external_ids and addresses.
func setOfRow(row ovsdb.Row) (*nbdb.AddressSet, error) {
	s := &nbdb.AddressSet{ExternalIDs: map[string]string{}}
	uuid, ok := row["_uuid"].(ovsdb.UUID)
	if !ok {
		return nil, fmt.Errorf("an address set row without a UUID: %v", row)
	}
	s.UUID = uuid.GoUUID
	s.Name, _ = row["name"].(string)
	if m, ok := row["external_ids"].(ovsdb.OvsMap); ok {
		for k, v := range m.GoMap {
			ks, _ := k.(string)
			vs, _ := v.(string)
			s.ExternalIDs[ks] = vs
		}
	}
	switch v := row["addresses"].(type) {
	case string: // a set of one is sent as its element
		s.Addresses = []string{v}
	case ovsdb.OvsSet:
		s.Addresses = make([]string, 0, len(v.GoSet))
		for _, a := range v.GoSet {
			if as, ok := a.(string); ok {
				s.Addresses = append(s.Addresses, as)
			}
		}
	}
	return s, nil
}
