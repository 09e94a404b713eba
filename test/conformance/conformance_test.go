package conformance

import (
	"flag"
	"os"
	"testing"

	// The real-OVN backends, ovn and datapath, so every registered backend includes them.
	_ "github.com/tieracl/tieracl/test/testbed/backend"
)

var backendsFlag = flag.String("backends", "", "comma-separated backends to run (default: $"+EnvBackends+", else every registered backend)")

// TestConformance runs every transcribed upstream subtest with every requested backend; a failed
// probe fails the test with the file and the probe named.
func TestConformance(t *testing.T) {
	list := *backendsFlag
	if list == "" {
		list = os.Getenv(EnvBackends)
	}
	backends, err := ParseBackends(list)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := LoadCatalog(FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range backends {
		results, err := Run(FS, catalog, backend)
		if err != nil {
			t.Fatal(err)
		}
		for _, res := range results {
			for _, sub := range res.Subtests {
				t.Run(backend+"/"+res.Test.ShortName+"/"+sub.Subtest.File[len(res.Test.ShortName)+1:], func(t *testing.T) {
					for _, f := range sub.Failures() {
						t.Error(f)
					}
					for _, n := range sub.NotJudged() {
						t.Log("NOT JUDGED " + n)
					}
				})
			}
		}
	}
}
