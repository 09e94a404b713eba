package cluster

import (
	"slices"
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
)

// selectionMemo remembers, for one Index, which namespaces each distinct namespace selector matches and
// which pod label sets each distinct pod selector matches. A translation asks the same few selectors of
// tens of thousands of namespaces over and over; each is now matched against every candidate once.
type selectionMemo struct {
	mu sync.Mutex
	// runsByLabel lists, per namespace label key and value, the podRuns whose namespace has it, in order.
	runsByLabel map[string]map[string][]int32
	// runs: selector key -> the indexes of the podRuns whose namespace it matches, in order.
	runs map[string][]int32
	// classes: selector key -> per pod label class, 0 not known yet, 1 matches, -1 does not. Its entries
	// are filled outside the lock, by whichever caller first needs one (both would store the same value).
	classes map[string][]atomic.Int32
}

// selectorKey identifies a selector's meaning: its text, which apimachinery builds from requirements
// sorted by key. Nothing and Everything both print as "", so Nothing gets a key no selector prints.
func selectorKey(s labels.Selector) string {
	if _, selectable := s.Requirements(); !selectable {
		return "\x00nothing"
	}
	return s.String()
}

func (ix *Index) indexRunLabels() {
	ix.memo.runsByLabel = map[string]map[string][]int32{}
	ix.memo.runs = map[string][]int32{}
	ix.memo.classes = map[string][]atomic.Int32{}
	for i, r := range ix.podRuns {
		for k, v := range ix.NamespaceLabels(r.namespace) {
			byValue := ix.memo.runsByLabel[k]
			if byValue == nil {
				byValue = map[string][]int32{}
				ix.memo.runsByLabel[k] = byValue
			}
			byValue[v] = append(byValue[v], int32(i))
		}
	}
}

// matchingRuns returns the indexes of the podRuns whose namespace matches sel, whose selectorKey is key.
// The caller holds memo.mu.
func (ix *Index) matchingRuns(sel labels.Selector, key string) []int32 {
	if runs, ok := ix.memo.runs[key]; ok {
		return runs
	}
	out := []int32{}
	if candidates, narrowed := ix.candidateRuns(sel); narrowed {
		for _, i := range candidates {
			if sel.Matches(ix.runLabels[i]) {
				out = append(out, i)
			}
		}
	} else {
		for i := range ix.podRuns {
			if sel.Matches(ix.runLabels[i]) {
				out = append(out, int32(i))
			}
		}
	}
	ix.memo.runs[key] = out
	return out
}

// candidateRuns narrows the namespaces a selector can match to those holding the values of its
// shortest equality or set-membership requirement. narrowed is false when it has none (every namespace
// is a candidate). The candidates are still matched against the whole selector.
func (ix *Index) candidateRuns(sel labels.Selector) (candidates []int32, narrowed bool) {
	reqs, selectable := sel.Requirements()
	if !selectable {
		return nil, true
	}
	for _, r := range reqs {
		switch r.Operator() {
		case selection.Equals, selection.DoubleEquals, selection.In:
		default:
			continue
		}
		byValue := ix.memo.runsByLabel[r.Key()]
		var union []int32
		for v := range r.Values() {
			union = append(union, byValue[v]...)
		}
		if !narrowed || len(union) < len(candidates) {
			candidates, narrowed = union, true
		}
	}
	if narrowed {
		slices.Sort(candidates)
		candidates = slices.Compact(candidates)
	}
	return candidates, narrowed
}

// classMatches returns the memo over pod label classes of the selector whose selectorKey is key. The
// caller holds memo.mu.
func (ix *Index) classMatches(key string) []atomic.Int32 {
	m, ok := ix.memo.classes[key]
	if !ok {
		m = make([]atomic.Int32, ix.classes)
		ix.memo.classes[key] = m
	}
	return m
}

// appendSelected appends the positions of the selectable pods of ix.pods[start:end] whose label class
// matches sel.
func (ix *Index) appendSelected(out []int32, start, end int, sel labels.Selector, matched []atomic.Int32) []int32 {
	for i := start; i < end; i++ {
		if !ix.selectable[i] {
			continue
		}
		c := ix.labelClass[i]
		m := matched[c].Load()
		if m == 0 {
			m = -1
			if sel.Matches(labels.Set(ix.pods[i].Labels)) {
				m = 1
			}
			matched[c].Store(m)
		}
		if m == 1 {
			out = append(out, int32(i))
		}
	}
	return out
}
