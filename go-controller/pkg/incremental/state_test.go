package incremental

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// Runs of AddressSetsAfter, each starting after the last set of the one before, cover AddressSets once
// in order before they wrap around, each within the bound unless it is one set.
func TestAddressSetsAfterWalksAllSets(t *testing.T) {
	walkRuns(t, (*Tracker).AddressSets, (*Tracker).AddressSetsAfter,
		func(s nbrows.AddressSet) (string, int) { return s.Name, len(s.Addresses) })
}

// PortGroupsAfter walks State's port groups, with their members, as AddressSetsAfter walks the sets.
func TestPortGroupsAfterWalksAllGroups(t *testing.T) {
	walkRuns(t, func(tr *Tracker) []nbrows.PortGroup { return tr.State().PortGroups }, (*Tracker).PortGroupsAfter,
		func(g nbrows.PortGroup) (string, int) { return g.Name, len(g.Ports) })
}

// walkRuns checks that runs of after, each starting after the last row of the one before, cover all's
// rows once in order before they wrap around, each within the bound unless it is one row.
func walkRuns[R any](t *testing.T, all func(*Tracker) []R, after func(*Tracker, string, int) []R,
	size func(R) (string, int)) {
	for _, bound := range []int{0, 1, 10, 100, 1 << 30} {
		t.Run(fmt.Sprintf("max=%d", bound), func(t *testing.T) {
			for seed := int64(1); seed <= 20; seed++ {
				rng := rand.New(rand.NewSource(seed))
				tr := load(synth.Random(rng), translate.Options{})
				tr.Translate()
				for range 10 {
					mutate(rng, tr) // moved rows list their members from a map
				}
				if tr.Stale() {
					tr.Translate()
				}
				want := all(tr)
				if len(want) == 0 {
					continue // a cluster without such rows
				}
				var got []R
				last := ""
				for len(got) < len(want) {
					run := after(tr, last, bound)
					if len(run) == 0 {
						t.Fatalf("seed %d: an empty run after %q with %d of %d rows walked", seed, last, len(got), len(want))
					}
					n := 0
					for _, r := range run {
						_, k := size(r)
						n += k
					}
					if len(run) > 1 && n > bound {
						t.Errorf("seed %d: a run of %d rows holds %d members, above %d", seed, len(run), n, bound)
					}
					got = append(got, run...)
					last, _ = size(run[len(run)-1])
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d: the runs hold %d rows, not the %d of the state in order", seed, len(got), len(want))
				}
				first, _ := size(want[0])
				if again, _ := size(after(tr, last, bound)[0]); again != first {
					t.Errorf("seed %d: after the last row the walk goes on at %s, want the first, %s", seed, again, first)
				}
			}
		})
	}
}
