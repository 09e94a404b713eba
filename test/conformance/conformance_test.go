package conformance

import (
	"flag"
	"os"
	"path"
	"testing"

	// The real-OVN backends, ovn and datapath, so every registered backend includes them.
	_ "github.com/tieracl/tieracl/go-controller/pkg/ovnbackend"
)

var (
	backendsFlag = flag.String("backends", "",
		"comma-separated backends to run (default: $"+EnvBackends+", else every registered backend)")
	suitesFlag = flag.String("suites", "",
		"comma-separated suite versions to run (default: $"+EnvSuites+", else every suite)")
)

// TestConformance runs every transcribed upstream subtest of every requested suite with every requested
// backend; a failed probe fails the test with the file and the probe named.
func TestConformance(t *testing.T) {
	suites, err := ParseSuites(flagOrEnv(*suitesFlag, EnvSuites))
	if err != nil {
		t.Fatal(err)
	}
	backends, err := ParseBackends(flagOrEnv(*backendsFlag, EnvBackends), Backends())
	if err != nil {
		t.Fatal(err)
	}
	for _, suite := range suites {
		catalog, err := suite.Catalog()
		if err != nil {
			t.Fatal(err)
		}
		for _, backend := range backends {
			results, err := Run(FS, catalog, Backends(), backend)
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range results {
				for _, sub := range res.Subtests {
					t.Run(suite.Version+"/"+backend+"/"+res.Test.ShortName+"/"+path.Base(sub.Subtest.File), func(t *testing.T) {
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
}

func flagOrEnv(value, env string) string {
	if value != "" {
		return value
	}
	return os.Getenv(env)
}
