package nbsync

import (
	"slices"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		have, want, added, removed []string
	}{
		{nil, nil, nil, nil},
		{[]string{"a", "b"}, []string{"a", "b"}, nil, nil},
		{[]string{"b", "a"}, []string{"a", "b"}, nil, nil},
		{nil, []string{"b", "a"}, []string{"a", "b"}, nil},
		{[]string{"c", "a"}, nil, nil, []string{"a", "c"}},
		{[]string{"d", "a", "c", "a"}, []string{"b", "c", "e", "b"}, []string{"b", "e"}, []string{"a", "d"}},
	} {
		have, want := slices.Clone(tc.have), slices.Clone(tc.want)
		added, removed := diff(tc.have, tc.want)
		if !slices.Equal(added, tc.added) || !slices.Equal(removed, tc.removed) {
			t.Errorf("diff(%v, %v) = %v, %v; want %v, %v", tc.have, tc.want, added, removed, tc.added, tc.removed)
		}
		if !slices.Equal(have, tc.have) || !slices.Equal(want, tc.want) {
			t.Errorf("diff changed its arguments: %v, %v", tc.have, tc.want)
		}
	}
}
