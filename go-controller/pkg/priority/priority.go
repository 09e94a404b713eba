// Package priority hands out OVN ACL priorities to the policies of one tier (Admin or Baseline).
//
// OVN gives each tier the ACL priorities 0 to 32767; higher wins. The API gives each policy a priority
// 0 to 1000 (lower wins) and up to 100 rules per direction, ordered. Each policy gets a band: a run of
// consecutive ACL priorities, one per rule position, its first rule at the band's top. Bands never
// overlap, and a policy that the API evaluates first has its whole band above the next one's.
//
// Every API priority p has a preferred band top, 32767 - 32*p, so a policy keeps its ACL priorities when
// other policies come and go (no churn). A policy wider than 32 rules, or several policies sharing one
// API priority (stacked in name order), push the bands after them down; when that runs past 0, the
// whole tier is packed densely from 32767 instead. Only if even that does not fit are the policies that
// do not fit left out, and reported. docs/priorities.md explains this with worked examples.
package priority

import "sort"

const (
	// MaxACL is OVN's highest ACL priority.
	MaxACL = 32767
	// MinACL is OVN's lowest ACL priority.
	MinACL = 0
	// Stride is the width of the preferred band of each API priority: 1001 bands of 32 fit in 32767
	// with 735 priorities to spare for overflow.
	Stride = 32
)

// Request is one policy asking for a band.
type Request struct {
	ID       string // the policy's owner, unique within the tier
	Priority int32  // the API priority, 0 to 1000
	Width    int    // ACL priorities needed: the longer of its ingress and egress rule lists, at least 1
}

// Band is the inclusive range of ACL priorities a policy's rules use; rule i has priority Top - i.
type Band struct {
	Top, Bottom int
}

// Priority returns the ACL priority of the rule at index i.
func (b Band) Priority(i int) int { return b.Top - i }

// PreferredTop is where the band of API priority p starts when nothing pushes it down.
func PreferredTop(p int32) int { return MaxACL - Stride*int(p) }

// Allocate gives each request a band. Requests are ordered by priority then ID, which is the evaluation
// order. Overflow lists the IDs that did not fit even densely packed; they get no band.
func Allocate(reqs []Request) (bands map[string]Band, overflow []string) {
	sorted := append([]Request(nil), reqs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Priority != sorted[j].Priority {
			return sorted[i].Priority < sorted[j].Priority
		}
		return sorted[i].ID < sorted[j].ID
	})
	if bands, ok := place(sorted, true); ok {
		return bands, nil
	}
	bands, _ = place(sorted, false)
	for _, r := range sorted {
		if _, ok := bands[r.ID]; !ok {
			overflow = append(overflow, r.ID)
		}
	}
	return bands, overflow
}

// place lays the bands out top-down. With preferred, each band starts at its preferred top unless the
// band before it reaches lower; without, bands are packed one after the other. ok is false when some band
// would go below MinACL; those requests are left out.
func place(sorted []Request, preferred bool) (map[string]Band, bool) {
	bands := make(map[string]Band, len(sorted))
	next := MaxACL // the highest priority still free
	ok := true
	for _, r := range sorted {
		width := r.Width
		if width < 1 {
			width = 1
		}
		top := next
		if preferred && PreferredTop(r.Priority) < top {
			top = PreferredTop(r.Priority)
		}
		bottom := top - width + 1
		if bottom < MinACL {
			ok = false
			continue
		}
		bands[r.ID] = Band{Top: top, Bottom: bottom}
		next = bottom - 1
	}
	return bands, ok
}
