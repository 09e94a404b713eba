package incremental

import (
	"slices"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// State is the whole desired NB state now: the last translation's ACLs with every set's current members
// (the translation's own lists for the sets no member moved in or out of since).
// It equals what Translate would return for the tracked objects when Stale is false.
func (t *Tracker) State() *nbrows.State {
	if t.result == nil {
		return &nbrows.State{}
	}
	r := &t.result.State
	s := &nbrows.State{ACLs: r.ACLs, PortGroups: slices.Clone(r.PortGroups),
		Meters: r.Meters}
	for i := range s.PortGroups {
		s.PortGroups[i].Ports = t.members[s.PortGroups[i].Name].list()
	}
	s.AddressSets = t.AddressSets()
	return s
}

func sortedMembers(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for x := range m {
		out = append(out, x)
	}
	slices.Sort(out)
	return out
}

// AddressSets are the last translation's address sets with their current members, as in State.
func (t *Tracker) AddressSets() []nbrows.AddressSet {
	if t.result == nil {
		return nil
	}
	out := slices.Clone(t.result.State.AddressSets)
	for i := range out {
		out[i].Addresses = t.members[out[i].Name].list()
	}
	return out
}

// AddressSetsAfter is a run of AddressSets in name order: from the first set named after `after` (the
// first set when none is), until the next would take their members past maxAddresses. It holds at
// least one set when there is any, and stops at the last, so that callers walk all sets in bounded runs.
func (t *Tracker) AddressSetsAfter(after string, maxAddresses int) []nbrows.AddressSet {
	if t.result == nil {
		return nil
	}
	return runAfter(t, t.result.State.AddressSets, after, maxAddresses,
		func(s nbrows.AddressSet) string { return s.Name },
		func(s *nbrows.AddressSet, members []string) { s.Addresses = members })
}

// PortGroupsAfter is a run of the port groups of State, with their current members, as AddressSetsAfter
// is of the address sets: at most maxPorts ports in all, unless its one group has more.
func (t *Tracker) PortGroupsAfter(after string, maxPorts int) []nbrows.PortGroup {
	if t.result == nil {
		return nil
	}
	return runAfter(t, t.result.State.PortGroups, after, maxPorts,
		func(g nbrows.PortGroup) string { return g.Name },
		func(g *nbrows.PortGroup, members []string) { g.Ports = members })
}

// runAfter is the run of rows (sorted by name) that AddressSetsAfter and PortGroupsAfter return, each
// given its current members by set.
func runAfter[R any](t *Tracker, all []R, after string, maxMembers int, name func(R) string,
	set func(*R, []string)) []R {
	i, found := slices.BinarySearchFunc(all, after, func(r R, after string) int {
		return strings.Compare(name(r), after)
	})
	if found {
		i++
	}
	if i >= len(all) {
		i = 0
	}
	var out []R
	for n := 0; i < len(all); i++ {
		m := t.members[name(all[i])]
		if len(out) > 0 && n+m.Len() > maxMembers {
			break
		}
		r := all[i]
		members := m.list()
		set(&r, members)
		n += len(members)
		out = append(out, r)
	}
	return out
}
