package priority

import (
	"fmt"
	"reflect"
	"testing"
)

func TestAllocate(t *testing.T) {
	tests := []struct {
		name     string
		reqs     []Request
		want     map[string]Band
		overflow []string
	}{
		{
			name: "preferred bands",
			reqs: []Request{{"b", 5, 3}, {"a", 0, 2}, {"c", 1000, 1}},
			want: map[string]Band{"a": {32767, 32766}, "b": {32607, 32605}, "c": {767, 767}},
		},
		{
			name: "equal priorities stack in ID order and push the next band",
			reqs: []Request{{"y", 1, 20}, {"x", 1, 20}, {"z", 2, 1}},
			want: map[string]Band{"x": {32735, 32716}, "y": {32715, 32696}, "z": {32695, 32695}},
		},
		{
			name: "a wide policy pushes its neighbor down, later bands return to their place",
			reqs: []Request{{"wide", 0, 100}, {"next", 1, 1}, {"far", 10, 1}},
			want: map[string]Band{"wide": {32767, 32668}, "next": {32667, 32667}, "far": {32447, 32447}},
		},
		{
			name: "zero width counts as one",
			reqs: []Request{{"empty", 7, 0}},
			want: map[string]Band{"empty": {32543, 32543}},
		},
		{
			name: "the last priority leaves room for overflow",
			reqs: []Request{{"p999", 999, 100}, {"p1000", 1000, 100}},
			want: map[string]Band{"p999": {799, 700}, "p1000": {699, 600}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, overflow := Allocate(tt.reqs)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("bands = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(overflow, tt.overflow) {
				t.Errorf("overflow = %v, want %v", overflow, tt.overflow)
			}
		})
	}
}

// Every API priority, each policy at full width: preferred placement runs out, dense packing takes over,
// and what cannot fit at all is reported instead of overlapping.
func TestAllocateDenseAndOverflow(t *testing.T) {
	var reqs []Request
	for p := int32(0); p <= 1000; p++ {
		reqs = append(reqs, Request{ID: fmt.Sprintf("p%04d", p), Priority: p, Width: 100})
	}
	bands, overflow := Allocate(reqs)
	if len(bands)+len(overflow) != len(reqs) {
		t.Fatalf("%d bands + %d overflow != %d requests", len(bands), len(overflow), len(reqs))
	}
	if want := (MaxACL + 1) / 100; len(bands) != want {
		t.Errorf("dense packing placed %d policies, want %d", len(bands), want)
	}
	if overflow[0] != fmt.Sprintf("p%04d", len(bands)) {
		t.Errorf("first overflow = %s: the lowest-precedence policies must be the ones left out", overflow[0])
	}
	assertOrdered(t, reqs, bands)
}

// Small policies at every priority fit at their preferred places, so adding or removing one never moves
// another.
func TestAllocateStableAcrossChanges(t *testing.T) {
	var reqs []Request
	for p := int32(0); p <= 1000; p += 3 {
		reqs = append(reqs, Request{ID: fmt.Sprintf("p%04d", p), Priority: p, Width: 10})
	}
	before, _ := Allocate(reqs)
	after, _ := Allocate(append(reqs, Request{ID: "new", Priority: 500, Width: 32}))
	for id, b := range before {
		if after[id] != b {
			t.Errorf("%s moved from %v to %v when an unrelated policy was added", id, b, after[id])
		}
	}
	assertOrdered(t, reqs, before)
}

func assertOrdered(t *testing.T, reqs []Request, bands map[string]Band) {
	t.Helper()
	prevBottom := MaxACL + 1
	for _, r := range reqs {
		b, ok := bands[r.ID]
		if !ok {
			continue
		}
		if b.Top >= prevBottom || b.Bottom < MinACL || b.Top-b.Bottom+1 != r.Width {
			t.Fatalf("%s: band %v overlaps or misplaced (previous bottom %d)", r.ID, b, prevBottom)
		}
		prevBottom = b.Bottom
	}
}
