package nbsync

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// readSetsAgainst returns the owned address sets with their addresses, as ReadAddressSets does, but
// lets NB compare rather than send: a cluster of 100,000 pods has millions of addresses, and decoding
// them all costs far more than sending desired's. For each owned set the cache lists and desired
// holds, one select asks whether its addresses equal desired's; such a set has desired's addresses.
// Only the others, and sets the selects no longer find, are read whole. An owned set desired does
// not hold is returned without its addresses, which its deletion does not need.
func readSetsAgainst(ctx context.Context, c client.Client, desired *nbrows.State) ([]*nbdb.AddressSet, error) {
	var cached []*nbdb.AddressSet
	if err := c.WhereCache(func(s *nbdb.AddressSet) bool { return isOwned(s.ExternalIDs) }).List(ctx, &cached); err != nil {
		return nil, err
	}
	want := make(map[string]*nbrows.AddressSet, len(desired.AddressSets))
	for i := range desired.AddressSets {
		want[desired.AddressSets[i].Name] = &desired.AddressSets[i]
	}
	var ops []ovsdb.Operation
	var asked []*nbdb.AddressSet
	out := make([]*nbdb.AddressSet, 0, len(cached))
	for _, s := range cached {
		d, ok := want[s.Name]
		if !ok {
			out = append(out, s)
			continue
		}
		ops = append(ops, ovsdb.Operation{Op: ovsdb.OperationSelect, Table: nbdb.AddressSetTable, Columns: []string{"_uuid"},
			Where: append(byUUID(s.UUID), ovsdb.NewCondition("addresses", ovsdb.ConditionEqual,
				ovsdb.OvsSet{GoSet: stringValues(d.Addresses)}))})
		asked = append(asked, s)
	}
	results, err := selects(ctx, c, ops)
	if err != nil {
		return nil, fmt.Errorf("compare address sets: %w", err)
	}
	var reread []ovsdb.Operation
	for i, s := range asked {
		if len(results[i].Rows) == 1 {
			s.Addresses = want[s.Name].Addresses
			out = append(out, s)
			continue
		}
		reread = append(reread, ovsdb.Operation{Op: ovsdb.OperationSelect, Table: nbdb.AddressSetTable,
			Where: byUUID(s.UUID), Columns: []string{"_uuid", "name", "external_ids", "addresses"}})
	}
	results, err = selects(ctx, c, reread)
	if err != nil {
		return nil, fmt.Errorf("read address sets: %w", err)
	}
	for _, r := range results {
		for _, row := range r.Rows { // none when the set is gone since the cache listed it
			s, err := setOfRow(row)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
	}
	return out, nil
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
