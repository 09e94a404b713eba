package nbrows

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"testing"
)

// TestSortACLsIsStable checks the position sort, in one run and in two merged halves, against a stable
// sort by ACLLess, on rows with many equal keys (told apart by their port group).
func TestSortACLsIsStable(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, n := range []int{0, 1, 100, 1 << 15} {
		acls := make([]ACL, n)
		for i := range acls {
			acls[i] = ACL{Tier: rng.Intn(3), Direction: []string{FromLport, ToLport}[rng.Intn(2)],
				Priority: rng.Intn(3), Match: fmt.Sprint("m", rng.Intn(5)), Name: fmt.Sprint("a", rng.Intn(5)),
				PortGroup: fmt.Sprint(i)}
		}
		want := slices.Clone(acls)
		sort.SliceStable(want, func(i, j int) bool { return ACLLess(&want[i], &want[j]) })
		sortACLs(acls)
		for i := range acls {
			if acls[i].PortGroup != want[i].PortGroup {
				t.Fatalf("%d rows: row %d is %+v, want %+v", n, i, acls[i], want[i])
			}
		}
	}
}
