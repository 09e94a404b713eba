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
	all := t.result.State.AddressSets
	i, found := slices.BinarySearchFunc(all, after, func(s nbrows.AddressSet, name string) int {
		return strings.Compare(s.Name, name)
	})
	if found {
		i++
	}
	if i >= len(all) {
		i = 0
	}
	var out []nbrows.AddressSet
	for n := 0; i < len(all); i++ {
		m := t.members[all[i].Name]
		if len(out) > 0 && n+m.Len() > maxAddresses {
			break
		}
		s := all[i]
		s.Addresses = m.list()
		n += len(s.Addresses)
		out = append(out, s)
	}
	return out
}
