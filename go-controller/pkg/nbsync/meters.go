package nbsync

import (
	"fmt"
	"maps"
	"slices"

	"github.com/ovn-kubernetes/libovsdb/cache"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// ownedMeter is an owned Meter row with its bands.
type ownedMeter struct {
	row   *nbdb.Meter
	bands []*nbdb.MeterBand
}

// meters creates, updates or deletes the owned meters. A meter's band is replaced, not edited: a new
// Meter_Band row takes the old one's place in bands, and OVSDB collects the old one, which nothing then
// refers to. Meters tieracl does not own are never touched, whatever their name.
func (p *planner) meters(cur *owned, desired *nbrows.State) {
	want := map[string]bool{}
	for i, d := range desired.Meters {
		want[d.Name] = true
		have, ok := cur.meters[d.Name]
		fair := d.Fair
		if !ok && cur.foreignMeters[d.Name] {
			p.fail(fmt.Errorf("NB holds a Meter named %s that tieracl does not own (no external_ids:%s=%s); "+
				"delete it so tieracl can create its own", d.Name, nbrows.KeyManagedBy, nbrows.ManagedByValue))
			continue
		}
		if !ok {
			band := &nbdb.MeterBand{UUID: fmt.Sprintf("newband%d", i), Action: nbrows.MeterActionDrop, Rate: d.Rate,
				BurstSize: d.Burst, ExternalIDs: d.ExternalIDs}
			p.add(p.rows.insert(band))
			p.add(p.rows.insert(&nbdb.Meter{Name: d.Name, Unit: d.Unit, Fair: &fair, Bands: []string{band.UUID},
				ExternalIDs: d.ExternalIDs}))
			p.stats.Created++
			continue
		}
		row := &nbdb.Meter{UUID: have.row.UUID, Name: d.Name, Unit: d.Unit, Fair: &fair, Bands: have.row.Bands,
			ExternalIDs: d.ExternalIDs}
		if !sameBand(have.bands, d) {
			band := &nbdb.MeterBand{UUID: fmt.Sprintf("newband%d", i), Action: nbrows.MeterActionDrop, Rate: d.Rate,
				BurstSize: d.Burst, ExternalIDs: d.ExternalIDs}
			p.add(p.rows.insert(band))
			row.Bands = []string{band.UUID}
		}
		if !sameMeter(have.row, row) {
			p.add(p.rows.update(row, &row.Unit, &row.Fair, &row.Bands, &row.ExternalIDs))
			p.stats.Updated++
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cur.meters)) {
		if !want[name] {
			p.ops = append(p.ops, deleteOp(nbdb.MeterTable, cur.meters[name].row.UUID))
			p.stats.Deleted++
		}
	}
}

func sameBand(have []*nbdb.MeterBand, d nbrows.Meter) bool {
	return len(have) == 1 && have[0].Action == nbrows.MeterActionDrop && have[0].Rate == d.Rate &&
		have[0].BurstSize == d.Burst && maps.Equal(have[0].ExternalIDs, d.ExternalIDs)
}

func sameMeter(a, b *nbdb.Meter) bool {
	return a.Unit == b.Unit && derefBool(a.Fair) == derefBool(b.Fair) && maps.Equal(a.ExternalIDs, b.ExternalIDs) &&
		len(a.Bands) == len(b.Bands) && (len(a.Bands) == 0 || a.Bands[0] == b.Bands[0])
}

func derefBool(b *bool) bool { return b != nil && *b }

// fail records the first error of the plan.
func (p *planner) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

// MeterMatches reports whether the cache holds the owned meter name as want describes it, or
// holds none when want is nil. A meter and band of another owner count as not matching.
func MeterMatches(c *cache.TableCache, name string, want *nbrows.Meter) bool {
	var have *nbdb.Meter
	if t := c.Table(nbdb.MeterTable); t != nil {
		for _, m := range t.RowsShallow() {
			if m := m.(*nbdb.Meter); m.Name == name {
				have = m
			}
		}
	}
	if have == nil || want == nil {
		return have == nil && want == nil
	}
	if !isOwned(have.ExternalIDs) || have.Unit != want.Unit || derefBool(have.Fair) != want.Fair ||
		!maps.Equal(have.ExternalIDs, want.ExternalIDs) {
		return false
	}
	var bands []*nbdb.MeterBand
	if t := c.Table(nbdb.MeterBandTable); t != nil {
		for _, uuid := range have.Bands {
			if m := t.Row(uuid); m != nil {
				bands = append(bands, m.(*nbdb.MeterBand))
			}
		}
	}
	return len(bands) == len(have.Bands) && sameBand(bands, *want)
}
