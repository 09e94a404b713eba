package upstream

import (
	"slices"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/network-policy-api/conformance/tests"
	"sigs.k8s.io/network-policy-api/conformance/utils/suite"
)

// TestSelection builds the suite with the harness's options, as TestConformance does, and checks which
// upstream tests it runs: every one but the SCTP tests, none skipped for a missing feature.
func TestSelection(t *testing.T) {
	s, err := suite.NewConformanceProfileTestSuite(ProfileOptions(nil, nil, &rest.Config{}, Settings{}))
	if err != nil {
		t.Fatal(err)
	}
	var run, skipped []string
	for _, test := range tests.ConformanceTests {
		if !s.SupportedFeatures.HasAll(test.Features...) {
			t.Errorf("%s needs features %v, not all enabled", test.ShortName, test.Features)
			continue
		}
		if s.SkipTests.Has(test.ShortName) {
			skipped = append(skipped, test.ShortName)
		} else {
			run = append(run, test.ShortName)
		}
	}
	for _, name := range run {
		if strings.Contains(name, "SCTP") {
			t.Errorf("%s runs, but SCTP cannot run on this kernel", name)
		}
	}
	slices.Sort(skipped)
	if want := slices.Sorted(slices.Values(SkipTests)); !slices.Equal(skipped, want) {
		t.Errorf("skipped %v, want %v (a name on the list that the suite does not have?)", skipped, want)
	}
	if len(run) != 20 {
		t.Errorf("%d tests run, want 20 of v0.1.7's 24: %v", len(run), run)
	}
	if s.TimeoutConfig.RequestTimeout == 0 || s.TimeoutConfig.NamespacesMustBeReady == 0 {
		t.Errorf("timeouts left unset: %+v", s.TimeoutConfig)
	}
}
