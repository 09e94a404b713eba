package nbsync

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// setColumns are the columns an address set is read with from NB: the cache holds all but addresses.
var setColumns = []string{"_uuid", "name", "external_ids", "addresses"}

// ReadAddressSets reads address sets with their addresses from NB, not from the client's cache (which
// Monitor keeps without addresses): the sets tieracl owns when ownedOnly, else every set.
func ReadAddressSets(ctx context.Context, c client.Client, ownedOnly bool) ([]*nbdb.AddressSet, error) {
	rows, err := selectRows(ctx, c, nbdb.AddressSetTable, ownedOnly, setColumns)
	if err != nil {
		return nil, err
	}
	var out []*nbdb.AddressSet
	for _, row := range rows {
		s, err := setOfRow(row)
		if err != nil {
			return nil, fmt.Errorf("read address sets: %w", err)
		}
		out = append(out, s)
	}
	return out, nil
}

// selectRows reads columns of a table's rows from NB in one select: the rows tieracl owns when
// ownedOnly (other clients' rows can be many and large: they stay on the server), else every row.
func selectRows(ctx context.Context, c client.Client, table string, ownedOnly bool, columns []string,
) ([]ovsdb.Row, error) {
	where := []ovsdb.Condition{}
	if ownedOnly {
		where = append(where, ovsdb.NewCondition("external_ids", ovsdb.ConditionIncludes,
			ovsdb.OvsMap{GoMap: map[any]any{nbrows.KeyManagedBy: nbrows.ManagedByValue}}))
	}
	results, err := selects(ctx, c, []ovsdb.Operation{{Op: ovsdb.OperationSelect, Table: table, Where: where,
		Columns: columns}})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return results[0].Rows, nil
}

// setOfRow is an address set from a select's row of setColumns.
func setOfRow(row ovsdb.Row) (*nbdb.AddressSet, error) {
	uuid, ok := row["_uuid"].(ovsdb.UUID)
	if !ok {
		return nil, fmt.Errorf("an address set row without a UUID: %v", row)
	}
	s := &nbdb.AddressSet{UUID: uuid.GoUUID, ExternalIDs: stringMap(row["external_ids"])}
	s.Name, _ = row["name"].(string)
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

// stringMap reads a map column of strings to strings.
func stringMap(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(ovsdb.OvsMap); ok {
		for k, v := range m.GoMap {
			ks, _ := k.(string)
			vs, _ := v.(string)
			out[ks] = vs
		}
	}
	return out
}
