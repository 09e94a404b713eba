package incremental

import (
	"iter"
	"slices"
)

// Members is one port group's or address set's current members. Until a member first moves it is the
// translation's sorted list itself, which the State shares: a cluster of 100,000 pods has millions of
// members, and a map of each row's members doubled what the controller held. A row's first move
// turns its list into a map. Callers must not change what they get.
type Members struct {
	sorted []string        // while m is nil
	m      map[string]bool // after the first move
}

// newMembers keeps list itself when it is sorted without repeats, as translations are; else a copy.
func newMembers(list []string) *Members {
	for i := 1; i < len(list); i++ {
		if list[i-1] >= list[i] {
			return &Members{sorted: slices.Compact(slices.Sorted(slices.Values(list)))}
		}
	}
	return &Members{sorted: list}
}

// Has says whether x is a member; a nil Members has none.
func (s *Members) Has(x string) bool {
	if s == nil {
		return false
	}
	if s.m != nil {
		return s.m[x]
	}
	_, ok := slices.BinarySearch(s.sorted, x)
	return ok
}

// Len is the number of members.
func (s *Members) Len() int {
	if s == nil {
		return 0
	}
	if s.m != nil {
		return len(s.m)
	}
	return len(s.sorted)
}

// All yields every member, in no particular order.
func (s *Members) All() iter.Seq[string] {
	return func(yield func(string) bool) {
		if s == nil {
			return
		}
		if s.m != nil {
			for x := range s.m {
				if !yield(x) {
					return
				}
			}
			return
		}
		for _, x := range s.sorted {
			if !yield(x) {
				return
			}
		}
	}
}

// list is the members sorted: the translation's list while no member moved.
func (s *Members) list() []string {
	if s == nil {
		return []string{}
	}
	if s.m == nil {
		return s.sorted
	}
	return sortedMembers(s.m)
}

// add and remove move one member and say whether anything changed.
func (s *Members) add(x string) bool {
	if s.Has(x) {
		return false
	}
	s.mutable()[x] = true
	return true
}

func (s *Members) remove(x string) bool {
	if !s.Has(x) {
		return false
	}
	delete(s.mutable(), x)
	return true
}

func (s *Members) mutable() map[string]bool {
	if s.m == nil {
		s.m = setOf(s.sorted)
		s.sorted = nil
	}
	return s.m
}
