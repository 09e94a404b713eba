package upstream

import (
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/network-policy-api/conformance/tests"
	"sigs.k8s.io/network-policy-api/conformance/utils/suite"

	"github.com/tieracl/tieracl/test/upstream/harness"
)

// TestSelection builds the suite with the harness's options, as TestConformance does, and checks which
// upstream tests it runs: every one but the SCTP tests, none skipped for a missing feature.
func TestSelection(t *testing.T) {
	settings := Settings{RequestTimeout: 2 * time.Second, ReadyTimeout: 7 * time.Minute}
	s, err := suite.NewConformanceProfileTestSuite(ProfileOptions(nil, nil, &rest.Config{}, settings))
	if err != nil {
		t.Fatal(err)
	}
	var sel []harness.Selection
	for _, test := range tests.ConformanceTests {
		sel = append(sel, harness.Selection{Name: test.ShortName,
			Supported: s.SupportedFeatures.HasAll(test.Features...), Skipped: s.SkipTests.Has(test.ShortName)})
	}
	for _, err := range harness.CheckSelection(sel, SkipTests, 20) {
		t.Error(err)
	}
	if s.TimeoutConfig.RequestTimeout != settings.RequestTimeout ||
		s.TimeoutConfig.NamespacesMustBeReady != settings.ReadyTimeout {
		t.Errorf("timeouts %+v, want those of %+v", s.TimeoutConfig, settings)
	}
}
