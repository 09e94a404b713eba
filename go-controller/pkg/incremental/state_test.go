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
	for _, bound := range []int{0, 1, 10, 100, 1 << 30} {
		t.Run(fmt.Sprintf("max=%d", bound), func(t *testing.T) {
			for seed := int64(1); seed <= 20; seed++ {
				rng := rand.New(rand.NewSource(seed))
				tr := load(synth.Random(rng), translate.Options{})
				tr.Translate()
				for range 10 {
					mutate(rng, tr) // moved sets list their members from a map
				}
				if tr.Stale() {
					tr.Translate()
				}
				want := tr.AddressSets()
				if len(want) == 0 {
					continue // a cluster without peers
				}
				var got []nbrows.AddressSet
				after := ""
				for len(got) < len(want) {
					run := tr.AddressSetsAfter(after, bound)
					if len(run) == 0 {
						t.Fatalf("seed %d: an empty run after %q with %d of %d sets walked", seed, after, len(got), len(want))
					}
					if n := addresses(run); len(run) > 1 && n > bound {
						t.Errorf("seed %d: a run of %d sets holds %d addresses, above %d", seed, len(run), n, bound)
					}
					got = append(got, run...)
					after = run[len(run)-1].Name
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d: the runs hold %d sets, not AddressSets' %d in order", seed, len(got), len(want))
				}
				if again := tr.AddressSetsAfter(after, bound); again[0].Name != want[0].Name {
					t.Errorf("seed %d: after the last set the walk goes on at %s, want the first, %s", seed,
						again[0].Name, want[0].Name)
				}
			}
		})
	}
}

func addresses(sets []nbrows.AddressSet) int {
	n := 0
	for _, s := range sets {
		n += len(s.Addresses)
	}
	return n
}
