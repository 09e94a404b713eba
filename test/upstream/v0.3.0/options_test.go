package upstream

import (
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/network-policy-api/conformance/tests"
	"sigs.k8s.io/network-policy-api/conformance/utils/suite"
	"sigs.k8s.io/network-policy-api/pkg/consts"

	"github.com/tieracl/tieracl/test/upstream/harness"
)

// crd is a network-policy-api CRD as its bundle annotates it.
func crd(name, bundle string) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: name,
		Annotations: map[string]string{consts.BundleVersionAnnotation: bundle, consts.ChannelAnnotation: "experimental"}}}
}

func newSuite(t *testing.T, settings Settings,
	crds ...*apiextensionsv1.CustomResourceDefinition) (*suite.ConformanceProfileTestSuite, error) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme)
	for _, c := range crds {
		b = b.WithObjects(c)
	}
	return suite.NewConformanceProfileTestSuite(ProfileOptions(b.Build(), nil, &rest.Config{}, settings))
}

// TestSelection builds the suite with the harness's options, as TestConformance does, and checks which
// upstream tests it runs: every one but the SCTP tests, none skipped for a missing feature.
func TestSelection(t *testing.T) {
	settings := Settings{RequestTimeout: time.Second, PokeTimeout: 5 * time.Second, ReadyTimeout: 7 * time.Minute}
	s, err := newSuite(t, settings, crd("clusternetworkpolicies.policy.networking.k8s.io", consts.BundleVersion))
	if err != nil {
		t.Fatal(err)
	}
	var sel []harness.Selection
	for _, test := range tests.ConformanceTests {
		sel = append(sel, harness.Selection{Name: test.ShortName,
			Supported: s.SupportedFeatures.HasAll(test.Features...), Skipped: s.SkipTests.Has(test.ShortName)})
	}
	for _, err := range harness.CheckSelection(sel, SkipTests, 26) {
		t.Error(err)
	}
	if tc := s.TimeoutConfig; tc.RequestTimeout != settings.RequestTimeout || tc.PokeTimeout != settings.PokeTimeout ||
		tc.NamespacesMustBeReady != settings.ReadyTimeout {
		t.Errorf("timeouts %+v, want those of %+v", tc, settings)
	}
	if s.HostNetworkPortRangeStart != HostNetworkPortRangeStart || s.HostNetworkPortRangeEnd != HostNetworkPortRangeEnd {
		t.Errorf("host-network ports %d-%d, want %d-%d", s.HostNetworkPortRangeStart, s.HostNetworkPortRangeEnd,
			HostNetworkPortRangeStart, HostNetworkPortRangeEnd)
	}
	if HostNetworkPortRangeEnd >= 32768 {
		t.Errorf("host-network ports reach into the ephemeral range")
	}
}

// TestTwoBundles: the suite refuses a cluster that has the v0.1.7 CRDs beside v0.3.0's, which is why each
// suite gets a cluster of its own.
func TestTwoBundles(t *testing.T) {
	_, err := newSuite(t, Settings{}, crd("clusternetworkpolicies.policy.networking.k8s.io", consts.BundleVersion),
		crd("adminnetworkpolicies.policy.networking.k8s.io", "v0.1.7"))
	if err == nil || !strings.Contains(err.Error(), "multiple") {
		t.Fatalf("suite accepted two bundle versions: %v", err)
	}
}
