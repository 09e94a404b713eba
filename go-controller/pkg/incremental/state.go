package incremental

import (
	"slices"

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
