package incremental

import (
	"slices"
	"testing"
)

func TestMembers(t *testing.T) {
	for _, tc := range []struct {
		name        string
		list        []string
		add, remove []string
		want        []string
		sharesList  bool // list() is the translation's slice itself
		hasNot      string
	}{
		{name: "untouched", list: []string{"a", "b", "c"}, want: []string{"a", "b", "c"}, sharesList: true, hasNot: "d"},
		{name: "unsorted with repeats", list: []string{"c", "a", "c"}, want: []string{"a", "c"}, hasNot: "b"},
		{name: "moves", list: []string{"a", "b"}, add: []string{"c", "a"}, remove: []string{"b", "x"},
			want: []string{"a", "c"}, hasNot: "b"},
		{name: "empty", want: nil, sharesList: true, hasNot: "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig := slices.Clone(tc.list)
			s := newMembers(tc.list)
			for _, x := range tc.add {
				s.add(x)
			}
			for _, x := range tc.remove {
				s.remove(x)
			}
			if got := s.list(); !slices.Equal(got, tc.want) {
				t.Errorf("list %v, want %v", got, tc.want)
			}
			if got := slices.Sorted(s.All()); !slices.Equal(got, tc.want) || s.Len() != len(tc.want) {
				t.Errorf("All %v, Len %d, want %v", got, s.Len(), tc.want)
			}
			for _, x := range tc.want {
				if !s.Has(x) {
					t.Errorf("Has(%q) false", x)
				}
			}
			if s.Has(tc.hasNot) {
				t.Errorf("Has(%q) true", tc.hasNot)
			}
			if shares := len(tc.list) > 0 && &s.list()[0] == &tc.list[0]; shares != (tc.sharesList && len(tc.list) > 0) {
				t.Errorf("list shares the translation's slice: %v, want %v", shares, tc.sharesList)
			}
			if !slices.Equal(tc.list, orig) {
				t.Errorf("the translation's list changed: %v, was %v", tc.list, orig)
			}
		})
	}
	var none *Members
	if none.Has("a") || none.Len() != 0 || len(slices.Collect(none.All())) != 0 || len(none.list()) != 0 {
		t.Error("a nil Members is not empty")
	}
}
