package e2e_test

import (
	"context"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/test/conformance"
	"github.com/tieracl/tieracl/test/e2e"
)

// TestConformance runs the transcribed upstream conformance suite through the API: for each test, in
// the catalog's order, each subtest's policies are written as the API writes upstream makes (creates,
// spec updates, deletes), the controller must program them, and every probe of the subtest's file is
// judged with real packets. SCTP probes a kernel without SCTP cannot send are not judged, as in the
// conformance runner; every TCP and UDP probe must pass. Each test's policies are deleted at its end,
// as upstream's cleanup deletes its manifests, and NB must then hold no tieracl row.
func TestConformance(t *testing.T) {
	env := environment(t)
	catalog, err := e2e.ConformanceSuite.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	var programmed []time.Duration
	began := time.Now()
	probes := 0
	for _, ct := range catalog.Tests {
		t.Run(ct.ShortName, func(t *testing.T) {
			pols := policies(t, env)
			for _, s := range ct.Subtests {
				t.Run(strings.TrimSuffix(path.Base(s.File), ".yaml"), func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
					defer cancel()
					suite, err := policytest.LoadFS(conformance.FS, s.File, conformance.Display)
					if err != nil {
						t.Fatal(err)
					}
					if len(suite.Probes) != s.Probes {
						t.Fatalf("%s: %d probes, the catalog says %d", suite.Path, len(suite.Probes), s.Probes)
					}
					want, err := e2e.PoliciesOf(suite.Snapshot)
					if err != nil {
						t.Fatal(err)
					}
					prog, writes := apply(t, ctx, env, pols, want)
					if len(writes) > 0 {
						programmed = append(programmed, prog.Took)
					}
					res := conformance.SubtestResult{Subtest: s, Results: probeSuite(t, env, prog, suite)}
					probes += len(res.Results)
					for _, f := range res.Failures() {
						t.Error(f)
					}
					for _, n := range res.NotJudged() {
						t.Log("NOT JUDGED " + n)
					}
				})
			}
		})
	}
	slices.Sort(programmed)
	if n := len(programmed); n > 0 {
		t.Logf("%d tests, %d probes in %v; from the API writes to programmed (status and NB), over the %d subtests "+
			"with writes: median %v, max %v", len(catalog.Tests), probes, time.Since(began).Round(time.Millisecond), n,
			programmed[n/2].Round(time.Millisecond), programmed[n-1].Round(time.Millisecond))
	}
}
