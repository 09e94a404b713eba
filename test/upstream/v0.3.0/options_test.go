package upstream

import (
	"slices"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/network-policy-api/conformance/tests"
	"sigs.k8s.io/network-policy-api/conformance/utils/suite"
	"sigs.k8s.io/network-policy-api/pkg/consts"
)

// crd is a network-policy-api CRD as its bundle annotates it.
func crd(name, bundle string) *apiextensionsv1.CustomResourceDefinition {
	return &apiextensionsv1.CustomResourceDefinition{ObjectMeta: metav1.ObjectMeta{Name: name,
		Annotations: map[string]string{consts.BundleVersionAnnotation: bundle, consts.ChannelAnnotation: "experimental"}}}
}

func newSuite(t *testing.T, crds ...*apiextensionsv1.CustomResourceDefinition) (*suite.ConformanceProfileTestSuite, error) {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme)
	for _, c := range crds {
		b = b.WithObjects(c)
	}
	return suite.NewConformanceProfileTestSuite(ProfileOptions(b.Build(), nil, &rest.Config{}, Settings{}))
}

// TestSelection builds the suite with the harness's options, as TestConformance does, and checks which
// upstream tests it runs: every one but the SCTP tests, none skipped for a missing feature.
func TestSelection(t *testing.T) {
	s, err := newSuite(t, crd("clusternetworkpolicies.policy.networking.k8s.io", consts.BundleVersion))
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
	if len(run) != 26 {
		t.Errorf("%d tests run, want 26 of v0.3.0's 30: %v", len(run), run)
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
	_, err := newSuite(t, crd("clusternetworkpolicies.policy.networking.k8s.io", consts.BundleVersion),
		crd("adminnetworkpolicies.policy.networking.k8s.io", "v0.1.7"))
	if err == nil || !strings.Contains(err.Error(), "multiple") {
		t.Fatalf("suite accepted two bundle versions: %v", err)
	}
}
