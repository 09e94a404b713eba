package nbrows

import "sort"

// Delta is a change of set members: addresses of address sets and logical ports of port groups, by row
// name. The controller computes one from pod, namespace and node events and writes it as OVSDB mutations,
// never rewriting a whole set.
type Delta struct {
	AddressSets map[string]*Change `json:"addressSets,omitempty"`
	PortGroups  map[string]*Change `json:"portGroups,omitempty"`
}

// Change is what one set gains and loses.
type Change struct {
	Add    map[string]bool `json:"add,omitempty"`
	Remove map[string]bool `json:"remove,omitempty"`
}

// NewDelta returns an empty delta.
func NewDelta() *Delta {
	return &Delta{AddressSets: map[string]*Change{}, PortGroups: map[string]*Change{}}
}

// Empty reports whether the delta changes nothing.
func (d *Delta) Empty() bool {
	for _, c := range d.AddressSets {
		if !c.Empty() {
			return false
		}
	}
	for _, c := range d.PortGroups {
		if !c.Empty() {
			return false
		}
	}
	return true
}

// AddTo records that a member joins the named row of table (d.AddressSets or d.PortGroups). A member that
// joins and leaves within one delta cancels out.
func AddTo(table map[string]*Change, row, member string) { change(table, row).add(member) }

// RemoveFrom records that a member leaves the named row of table (d.AddressSets or d.PortGroups); it cancels
// an AddTo of the same member within the delta.
func RemoveFrom(table map[string]*Change, row, member string) { change(table, row).remove(member) }

func change(table map[string]*Change, row string) *Change {
	c := table[row]
	if c == nil {
		c = &Change{Add: map[string]bool{}, Remove: map[string]bool{}}
		table[row] = c
	}
	return c
}

func (c *Change) add(m string) {
	if c.Remove[m] {
		delete(c.Remove, m)
		return
	}
	c.Add[m] = true
}

func (c *Change) remove(m string) {
	if c.Add[m] {
		delete(c.Add, m)
		return
	}
	c.Remove[m] = true
}

// Empty reports whether the change adds and removes nothing.
func (c *Change) Empty() bool { return len(c.Add) == 0 && len(c.Remove) == 0 }

// Sorted returns the members added and removed, each sorted.
func (c *Change) Sorted() (add, remove []string) { return sortedKeys(c.Add), sortedKeys(c.Remove) }

// Size is the number of members the delta adds or removes.
func (d *Delta) Size() int {
	n := 0
	for _, t := range []map[string]*Change{d.AddressSets, d.PortGroups} {
		for _, c := range t {
			n += len(c.Add) + len(c.Remove)
		}
	}
	return n
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
