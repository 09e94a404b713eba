package nbsync

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// readSetsAgainst returns the owned address sets with their addresses, as ReadAddressSets does, but
// lets NB compare rather than send (compareSets): the sets NB finds equal have desired's addresses,
// and an owned set desired does not hold is returned without its addresses, which its deletion does
// not need.
func readSetsAgainst(ctx context.Context, c client.Client, desired *nbrows.State) ([]*nbdb.AddressSet, error) {
	equal, differ, undesired, err := compareSets(ctx, c, desired.AddressSets)
	return append(append(equal, differ...), undesired...), err
}

// DifferingAddressSets returns, with their addresses, the owned sets whose addresses in NB are not
// want's (by name); NB compares them (compareSets). Owned sets want lacks are left out.
func DifferingAddressSets(ctx context.Context, c client.Client, want []nbrows.AddressSet) ([]*nbdb.AddressSet, error) {
	_, differ, _, err := compareSets(ctx, c, want)
	return differ, err
}

// compareSets sorts the owned address sets the cache lists by how they compare with want's. A
// cluster of 100,000 pods has millions of addresses, and decoding them all costs far more than
// sending want's: for each set the cache lists and want holds, one select asks NB whether its
// addresses equal want's (compareInNB), and those (equal) get want's addresses. Only the others
// (differ) are read whole; a set the selects no longer find is in neither. The sets want lacks
// (undesired) come from the cache, without their addresses.
func compareSets(ctx context.Context, c client.Client, want []nbrows.AddressSet,
) (equal, differ, undesired []*nbdb.AddressSet, err error) {
	var cached []*nbdb.AddressSet
	owned := c.WhereCache(func(s *nbdb.AddressSet) bool { return isOwned(s.ExternalIDs) })
	if err := owned.List(ctx, &cached); err != nil {
		return nil, nil, nil, err
	}
	byName := make(map[string]*nbrows.AddressSet, len(want))
	for i := range want {
		byName[want[i].Name] = &want[i]
	}
	var asked []*nbdb.AddressSet
	var uuids []string
	var values []json.RawMessage
	for _, s := range cached {
		d, ok := byName[s.Name]
		if !ok {
			undesired = append(undesired, s)
			continue
		}
		value, err := setJSON(d.Addresses)
		if err != nil {
			return nil, nil, nil, err
		}
		asked, uuids, values = append(asked, s), append(uuids, s.UUID), append(values, value)
	}
	same, rows, err := compareInNB(ctx, c, nbdb.AddressSetTable, "addresses", uuids, values, setColumns)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("address sets: %w", err)
	}
	for i, s := range asked {
		if same[i] {
			s.Addresses = byName[s.Name].Addresses
			equal = append(equal, s)
		}
	}
	for _, row := range rows {
		s, err := setOfRow(row)
		if err != nil {
			return nil, nil, nil, err
		}
		differ = append(differ, s)
	}
	return equal, differ, undesired, nil
}

// compareInNB has NB compare rows' members with values: for each row (by UUID), one select, all in one
// read-only transaction, asks whether its column equals the value (an OVSDB set). It says which do;
// the others are read with columns in one more transaction, and a row gone since is in neither.
func compareInNB(ctx context.Context, c client.Client, table, column string, uuids []string,
	values []json.RawMessage, columns []string) (same []bool, differ []ovsdb.Row, err error) {
	ops := make([]ovsdb.Operation, len(uuids))
	for i, uuid := range uuids {
		ops[i] = ovsdb.Operation{Op: ovsdb.OperationSelect, Table: table, Columns: []string{"_uuid"},
			Where: append(byUUID(uuid), ovsdb.NewCondition(column, ovsdb.ConditionEqual, values[i]))}
	}
	results, err := selects(ctx, c, ops)
	if err != nil {
		return nil, nil, fmt.Errorf("compare %s: %w", column, err)
	}
	same = make([]bool, len(uuids))
	var reread []ovsdb.Operation
	for i, uuid := range uuids {
		if same[i] = len(results[i].Rows) == 1; !same[i] {
			reread = append(reread, ovsdb.Operation{Op: ovsdb.OperationSelect, Table: table, Where: byUUID(uuid),
				Columns: columns})
		}
	}
	results, err = selects(ctx, c, reread)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", column, err)
	}
	for _, r := range results {
		differ = append(differ, r.Rows...) // none when the row is gone since the cache listed it
	}
	return same, differ, nil
}

// setJSON encodes strings as an OVSDB set, ["set", [...]]: libovsdb would encode an OvsSet element by
// element through []any and reflection, half the CPU of encoding a comparison (BenchmarkCompareSelect);
// the enclosing encoders only check and copy the raw bytes.
func setJSON(values []string) (json.RawMessage, error) {
	if values == nil {
		values = []string{}
	}
	list, err := json.Marshal(values)
	if err != nil {
		return nil, err
	}
	return append(append([]byte(`["set",`), list...), ']'), nil
}

// selects sends read-only operations in one transaction and checks each result.
func selects(ctx context.Context, c client.Client, ops []ovsdb.Operation) ([]ovsdb.OperationResult, error) {
	if len(ops) == 0 {
		return nil, nil
	}
	results, err := c.Transact(ctx, ops...)
	if err != nil {
		return nil, err
	}
	if len(results) < len(ops) {
		return nil, fmt.Errorf("%d results for %d operations", len(results), len(ops))
	}
	for _, r := range results[:len(ops)] {
		if r.Error != "" {
			return nil, fmt.Errorf("%s: %s", r.Error, r.Details)
		}
	}
	return results, nil
}
