// Package nbdiff compares the NB rows policies translate to with the rows a live NB holds, row by row
// and member by member, grouped by the policy (or shared peer set) that owns each row.
package nbdiff

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// Tables, as OVN names them.
const (
	TableACL        = "ACL"
	TablePortGroup  = "Port_Group"
	TableAddressSet = "Address_Set"
)

// Changes of a row.
const (
	Missing = "missing" // desired, not in NB
	Extra   = "extra"   // in NB, owned by tieracl, not desired
	Changed = "changed" // in both, with other columns or members
)

// Row is one row that differs.
type Row struct {
	Table  string  `json:"table"`
	Name   string  `json:"name"`
	Change string  `json:"change"`
	Fields []Field `json:"fields,omitempty"`
	// MembersMissing and MembersExtra are addresses (address sets) or logical port names (port
	// groups) the row lacks or holds beyond what it should.
	MembersMissing []string `json:"membersMissing,omitempty"`
	MembersExtra   []string `json:"membersExtra,omitempty"`
	// PortsAbsent are desired port group members NB has no logical switch port for: no write can add
	// them until the CNI creates the port.
	PortsAbsent []string `json:"portsAbsent,omitempty"`
}

// Field is one column whose value differs.
type Field struct {
	Column string `json:"column"`
	Want   string `json:"want"`
	Have   string `json:"have"`
}

// Policy is the differing rows of one owner, "Kind/name" as the rows' external IDs say.
type Policy struct {
	Owner string `json:"owner"`
	Rows  []Row  `json:"rows"`
}

// Report is the whole comparison. Differs is false only when NB holds exactly the desired rows.
type Report struct {
	Differs  bool     `json:"differs"`
	Policies []Policy `json:"policies"`
	Counts   Counts   `json:"counts"`
}

// Counts sums the report.
type Counts struct {
	Missing        int `json:"missing"`
	Extra          int `json:"extra"`
	Changed        int `json:"changed"`
	MembersMissing int `json:"membersMissing"`
	MembersExtra   int `json:"membersExtra"`
	PortsAbsent    int `json:"portsAbsent"`
}

// Compare compares desired with live, the rows tieracl owns in NB (nbread.NB.Owned). ports are the
// names of NB's logical switch ports.
func Compare(desired, live *nbrows.State, ports map[string]bool) *Report {
	c := &comparer{byOwner: map[string][]Row{}}
	c.acls(desired.ACLs, live.ACLs)
	c.portGroups(desired.PortGroups, live.PortGroups, ports)
	c.addressSets(desired.AddressSets, live.AddressSets)
	r := &Report{Policies: []Policy{}}
	for _, owner := range slices.Sorted(maps.Keys(c.byOwner)) {
		rows := c.byOwner[owner]
		sort.SliceStable(rows, func(i, j int) bool {
			if rows[i].Table != rows[j].Table {
				return tableOrder(rows[i].Table) < tableOrder(rows[j].Table)
			}
			return rows[i].Name < rows[j].Name
		})
		r.Policies = append(r.Policies, Policy{Owner: owner, Rows: rows})
		for _, row := range rows {
			switch row.Change {
			case Missing:
				r.Counts.Missing++
			case Extra:
				r.Counts.Extra++
			case Changed:
				r.Counts.Changed++
			}
			r.Counts.MembersMissing += len(row.MembersMissing)
			r.Counts.MembersExtra += len(row.MembersExtra)
			r.Counts.PortsAbsent += len(row.PortsAbsent)
		}
	}
	r.Differs = len(r.Policies) > 0
	return r
}

func tableOrder(t string) int {
	return slices.Index([]string{TableACL, TablePortGroup, TableAddressSet}, t)
}

type comparer struct{ byOwner map[string][]Row }

func (c *comparer) add(ids map[string]string, row Row) {
	owner := Owner(ids)
	c.byOwner[owner] = append(c.byOwner[owner], row)
}

// Owner names the owner of a row from its external IDs.
func Owner(ids map[string]string) string {
	kind, name := ids[nbrows.KeyOwnerKind], ids[nbrows.KeyOwnerName]
	if kind == "" && name == "" {
		return "(no owner)"
	}
	return kind + "/" + name
}

func (c *comparer) acls(desired, live []nbrows.ACL) {
	have := map[string]*nbrows.ACL{}
	for i := range live {
		a := &live[i]
		if _, dup := have[a.Name]; dup {
			c.add(a.ExternalIDs, Row{Table: TableACL, Name: a.Name, Change: Extra,
				Fields: []Field{{Column: "name", Want: "unique", Have: "duplicate"}}})
			continue
		}
		have[a.Name] = a
	}
	want := map[string]bool{}
	for i := range desired {
		d := &desired[i]
		want[d.Name] = true
		h, ok := have[d.Name]
		if !ok {
			c.add(d.ExternalIDs, Row{Table: TableACL, Name: d.Name, Change: Missing})
			continue
		}
		if fields := aclFields(d, h); len(fields) > 0 {
			c.add(d.ExternalIDs, Row{Table: TableACL, Name: d.Name, Change: Changed, Fields: fields})
		}
	}
	for name, h := range have {
		if !want[name] {
			c.add(h.ExternalIDs, Row{Table: TableACL, Name: name, Change: Extra})
		}
	}
}

func aclFields(want, have *nbrows.ACL) []Field {
	var out []Field
	field := func(column, w, h string) {
		if w != h {
			out = append(out, Field{Column: column, Want: w, Have: h})
		}
	}
	field("port_group", want.PortGroup, have.PortGroup)
	field("tier", fmt.Sprint(want.Tier), fmt.Sprint(have.Tier))
	field("direction", want.Direction, have.Direction)
	field("priority", fmt.Sprint(want.Priority), fmt.Sprint(have.Priority))
	field("match", want.Match, have.Match)
	field("action", want.Action, have.Action)
	field("log", fmt.Sprint(want.Log), fmt.Sprint(have.Log))
	field("severity", want.Severity, have.Severity)
	field("options", mapText(want.Options), mapText(have.Options))
	field("external_ids", mapText(want.ExternalIDs), mapText(have.ExternalIDs))
	return out
}

func (c *comparer) portGroups(desired, live []nbrows.PortGroup, ports map[string]bool) {
	have := map[string]*nbrows.PortGroup{}
	for i := range live {
		have[live[i].Name] = &live[i]
	}
	want := map[string]bool{}
	for _, d := range desired {
		want[d.Name] = true
		var members, absent []string
		for _, p := range d.Ports {
			if ports[p] {
				members = append(members, p)
			} else {
				absent = append(absent, p)
			}
		}
		row := Row{Table: TablePortGroup, Name: d.Name, PortsAbsent: absent}
		h, ok := have[d.Name]
		if !ok {
			row.Change, row.MembersMissing = Missing, sorted(members)
			c.add(d.ExternalIDs, row)
			continue
		}
		row.MembersMissing, row.MembersExtra = memberDiff(members, h.Ports)
		if !maps.Equal(d.ExternalIDs, h.ExternalIDs) {
			row.Fields = []Field{{Column: "external_ids", Want: mapText(d.ExternalIDs), Have: mapText(h.ExternalIDs)}}
		}
		if len(row.Fields)+len(row.MembersMissing)+len(row.MembersExtra)+len(row.PortsAbsent) > 0 {
			row.Change = Changed
			c.add(d.ExternalIDs, row)
		}
	}
	for name, h := range have {
		if !want[name] {
			c.add(h.ExternalIDs, Row{Table: TablePortGroup, Name: name, Change: Extra, MembersExtra: sorted(h.Ports)})
		}
	}
}

func (c *comparer) addressSets(desired, live []nbrows.AddressSet) {
	have := map[string]*nbrows.AddressSet{}
	for i := range live {
		have[live[i].Name] = &live[i]
	}
	want := map[string]bool{}
	for _, d := range desired {
		want[d.Name] = true
		h, ok := have[d.Name]
		if !ok {
			c.add(d.ExternalIDs, Row{Table: TableAddressSet, Name: d.Name, Change: Missing,
				MembersMissing: sorted(d.Addresses)})
			continue
		}
		row := Row{Table: TableAddressSet, Name: d.Name}
		row.MembersMissing, row.MembersExtra = memberDiff(d.Addresses, h.Addresses)
		if !maps.Equal(d.ExternalIDs, h.ExternalIDs) {
			row.Fields = []Field{{Column: "external_ids", Want: mapText(d.ExternalIDs), Have: mapText(h.ExternalIDs)}}
		}
		if len(row.Fields)+len(row.MembersMissing)+len(row.MembersExtra) > 0 {
			row.Change = Changed
			c.add(d.ExternalIDs, row)
		}
	}
	for name, h := range have {
		if !want[name] {
			c.add(h.ExternalIDs, Row{Table: TableAddressSet, Name: name, Change: Extra, MembersExtra: sorted(h.Addresses)})
		}
	}
}

// memberDiff returns what want has that have lacks, and the reverse, each sorted.
func memberDiff(want, have []string) (missing, extra []string) {
	w, h := map[string]bool{}, map[string]bool{}
	for _, x := range want {
		w[x] = true
	}
	for _, x := range have {
		h[x] = true
	}
	for x := range w {
		if !h[x] {
			missing = append(missing, x)
		}
	}
	for x := range h {
		if !w[x] {
			extra = append(extra, x)
		}
	}
	return sorted(missing), sorted(extra)
}

func sorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// mapText prints a map as OVSDB prints one: {k=v, ...}, keys sorted.
func mapText(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
