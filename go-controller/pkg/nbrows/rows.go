// Package nbrows holds the desired OVN Northbound rows the translator produces: plain values with the NB
// columns tieracl sets, named by their natural keys (names) instead of OVSDB UUIDs. The OVSDB layer maps
// them to the generated nbdb model; the ACL evaluator runs over them directly.
package nbrows

import (
	"cmp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
)

// ACL directions and actions, as OVN spells them.
const (
	FromLport = "from-lport" // egress of the subject: evaluated in the source switch's ingress pipeline
	ToLport   = "to-lport"   // ingress of the subject: evaluated in the destination switch's egress pipeline

	ActionAllowRelated = "allow-related"
	ActionAllow        = "allow"
	ActionDrop         = "drop"
	ActionPass         = "pass"

	// OptionApplyAfterLB makes a from-lport ACL see the load-balanced destination (a service's backend
	// pod IP rather than its VIP).
	OptionApplyAfterLB = "apply-after-lb"
)

// ACL is one row of the NB ACL table, hung from exactly one port group.
type ACL struct {
	PortGroup   string            `json:"portGroup"`
	Name        string            `json:"name"` // at most 63 characters
	Tier        int               `json:"tier"`
	Priority    int               `json:"priority"`
	Direction   string            `json:"direction"`
	Match       string            `json:"match"`
	Action      string            `json:"action"`
	Log         bool              `json:"log,omitempty"`
	Severity    string            `json:"severity,omitempty"`
	Meter       string            `json:"meter,omitempty"` // the Meter rate-limiting its log messages, when Log
	Options     map[string]string `json:"options,omitempty"`
	ExternalIDs map[string]string `json:"externalIDs"`
}

// PortGroup is one row of the NB Port_Group table. Ports are logical switch port names; the OVSDB layer
// resolves them to UUIDs.
type PortGroup struct {
	Name        string            `json:"name"`
	Ports       []string          `json:"ports"`
	ExternalIDs map[string]string `json:"externalIDs"`
}

// AddressSet is one row of the NB Address_Set table, for one IP family.
type AddressSet struct {
	Name        string            `json:"name"`
	Addresses   []string          `json:"addresses"`
	ExternalIDs map[string]string `json:"externalIDs"`
}

// Meter is one row of the NB Meter table with its one drop band (a Meter_Band row): it rate-limits the log
// messages of the ACLs that name it, not their traffic. Fair meters limit each ACL on its own.
type Meter struct {
	Name        string            `json:"name"`
	Unit        string            `json:"unit"` // MeterUnitPktps
	Fair        bool              `json:"fair"`
	Rate        int               `json:"rate"`  // per second, in Unit
	Burst       int               `json:"burst"` // in packets (pktps)
	ExternalIDs map[string]string `json:"externalIDs"`
}

// Meter units and band actions, as OVN spells them.
const (
	MeterUnitPktps  = "pktps"
	MeterActionDrop = "drop"
)

// State is a whole desired NB state: every row tieracl owns.
type State struct {
	ACLs        []ACL        `json:"acls"`
	PortGroups  []PortGroup  `json:"portGroups"`
	AddressSets []AddressSet `json:"addressSets"`
	Meters      []Meter      `json:"meters,omitempty"`
}

// Sort puts the rows in a canonical order: ACLs as `ovn-nbctl acl-list` lists them (tier, direction,
// priority from high to low, match), port groups and address sets by name. Set-valued columns are
// sorted too, so two equal states print the same.
// The other tables are sorted while the ACLs are.
func (s *State) Sort() {
	var wg sync.WaitGroup
	wg.Go(func() {
		slices.SortFunc(s.PortGroups, func(a, b PortGroup) int { return strings.Compare(a.Name, b.Name) })
		slices.SortFunc(s.AddressSets, func(a, b AddressSet) int { return strings.Compare(a.Name, b.Name) })
		slices.SortFunc(s.Meters, func(a, b Meter) int { return strings.Compare(a.Name, b.Name) })
		for i := range s.PortGroups {
			sort.Strings(s.PortGroups[i].Ports)
		}
		for i := range s.AddressSets {
			sort.Strings(s.AddressSets[i].Addresses)
		}
	})
	sortACLs(s.ACLs)
	wg.Wait()
}

// sortACLs is a stable sort by ACLLess. Rows are large, and hundreds of thousands of them are swapped
// slowly: it sorts small keys that hold what ACLLess compares and the row's position (which breaks ties),
// many of them in two halves at once, merged after, and then moves each row once, in place.
func sortACLs(acls []ACL) {
	keys := aclKeys(acls)
	left, right := keys, keys[:0]
	if len(keys) >= 1<<14 && runtime.GOMAXPROCS(0) > 1 {
		left, right = keys[:len(keys)/2], keys[len(keys)/2:]
	}
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(right, compareKeys) })
	slices.SortFunc(left, compareKeys)
	wg.Wait()
	order := make([]int32, 0, len(acls))
	for len(left) > 0 && len(right) > 0 {
		if compareKeys(left[0], right[0]) < 0 {
			order, left = append(order, left[0].pos), left[1:]
		} else {
			order, right = append(order, right[0].pos), right[1:]
		}
	}
	for _, k := range left {
		order = append(order, k.pos)
	}
	for _, k := range right {
		order = append(order, k.pos)
	}
	permute(acls, order)
}

// aclKey is what compareACLs reads of one row, with the row's position; dir ranks the row's Direction
// among the distinct directions, in string order.
type aclKey struct {
	tier, dir, priority int
	match, name         string
	pos                 int32
}

func aclKeys(acls []ACL) []aclKey {
	var dirs []string
	for i := range acls {
		if !slices.Contains(dirs, acls[i].Direction) {
			dirs = append(dirs, acls[i].Direction)
		}
	}
	slices.Sort(dirs)
	keys := make([]aclKey, len(acls))
	for i := range acls {
		a := &acls[i]
		keys[i] = aclKey{tier: a.Tier, dir: slices.Index(dirs, a.Direction), priority: a.Priority, match: a.Match,
			name: a.Name, pos: int32(i)}
	}
	return keys
}

// compareKeys is compareACLs on keys, then their positions.
func compareKeys(a, b aclKey) int {
	switch {
	case a.tier != b.tier:
		return cmp.Compare(a.tier, b.tier)
	case a.dir != b.dir:
		return cmp.Compare(a.dir, b.dir)
	case a.priority != b.priority:
		return cmp.Compare(b.priority, a.priority)
	}
	if c := strings.Compare(a.match, b.match); c != 0 {
		return c
	}
	if c := strings.Compare(a.name, b.name); c != 0 {
		return c
	}
	return cmp.Compare(a.pos, b.pos)
}

// permute puts row order[i] at i for every i, following each cycle of the permutation; order is
// destroyed.
func permute(acls []ACL, order []int32) {
	for i := range order {
		if order[i] == int32(i) || order[i] < 0 {
			continue
		}
		held := acls[i]
		j := int32(i)
		for {
			k := order[j]
			order[j] = -1
			if k == int32(i) {
				acls[j] = held
				break
			}
			acls[j] = acls[k]
			j = k
		}
	}
}

// ACLLess orders ACLs by tier, direction, priority (high first), match, then name.
func ACLLess(a, b *ACL) bool { return compareACLs(a, b) < 0 }

func compareACLs(a, b *ACL) int {
	if a.Tier != b.Tier {
		return cmp.Compare(a.Tier, b.Tier)
	}
	if a.Direction != b.Direction {
		return strings.Compare(a.Direction, b.Direction)
	}
	if a.Priority != b.Priority {
		return cmp.Compare(b.Priority, a.Priority)
	}
	if a.Match != b.Match {
		return strings.Compare(a.Match, b.Match)
	}
	return strings.Compare(a.Name, b.Name)
}

// PortGroupByName indexes the state's Port_Groups by name; the values point into s.PortGroups.
func (s *State) PortGroupByName() map[string]*PortGroup {
	m := make(map[string]*PortGroup, len(s.PortGroups))
	for i := range s.PortGroups {
		m[s.PortGroups[i].Name] = &s.PortGroups[i]
	}
	return m
}

// AddressSetByName indexes the state's Address_Sets by name; the values point into s.AddressSets.
func (s *State) AddressSetByName() map[string]*AddressSet {
	m := make(map[string]*AddressSet, len(s.AddressSets))
	for i := range s.AddressSets {
		m[s.AddressSets[i].Name] = &s.AddressSets[i]
	}
	return m
}
