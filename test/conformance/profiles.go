package conformance

import "slices"

// Feature is an upstream suite.SupportedFeature.
type Feature string

// The features of the v0.1.7 suite (utils/suite/features.go).
const (
	FeatureANP                 Feature = "AdminNetworkPolicy"
	FeatureBANP                Feature = "BaselineAdminNetworkPolicy"
	FeatureANPNamedPorts       Feature = "AdminNetworkPolicyNamedPorts"
	FeatureANPEgressNodePeers  Feature = "AdminNetworkPolicyEgressNodePeers"
	FeatureBANPNamedPorts      Feature = "BaselineAdminNetworkPolicyNamedPorts"
	FeatureBANPEgressNodePeers Feature = "BaselineAdminNetworkPolicyEgressNodePeers"
)

// The features of the v0.3.0 suite (utils/suite/features.go).
const (
	FeatureCNP                Feature = "ClusterNetworkPolicy"
	FeatureCNPNamedPorts      Feature = "ClusterNetworkPolicyNamedPorts"
	FeatureCNPEgressNodePeers Feature = "ClusterNetworkPolicyEgressNodePeers"
)

// Profile is an upstream conformance profile: the features it tests at the standard and the
// experimental level.
type Profile struct {
	Name         string
	Standard     []Feature
	Experimental []Feature
}

// The suites' profiles (utils/suite/conformance_profiles.go), sorted by name. v0.3.0's one profile
// lists no optional tests.
var (
	profilesV017 = []Profile{
		{Name: "AdminNetworkPolicy", Standard: []Feature{FeatureANP},
			Experimental: []Feature{FeatureANPEgressNodePeers, FeatureANPNamedPorts}},
		{Name: "BaselineAdminNetworkPolicy", Standard: []Feature{FeatureBANP},
			Experimental: []Feature{FeatureBANPEgressNodePeers, FeatureBANPNamedPorts}},
	}
	profilesV030 = []Profile{
		{Name: "ClusterNetworkPolicy", Standard: []Feature{FeatureCNP},
			Experimental: []Feature{FeatureCNPEgressNodePeers, FeatureCNPNamedPorts}},
	}
)

// known reports whether f is a feature of one of the profiles.
func known(profiles []Profile, f Feature) bool {
	for _, p := range profiles {
		if p.has(f) {
			return true
		}
	}
	return false
}

func (p Profile) has(f Feature) bool {
	return slices.Contains(p.Standard, f) || slices.Contains(p.Experimental, f)
}

// Counts reports whether a test is counted in the profile: as upstream decides it, only when the
// profile has every feature the test needs. A test needing both ANP and BANP counts in neither.
func (p Profile) Counts(t Test) bool {
	for _, f := range t.Features {
		if !p.has(f) {
			return false
		}
	}
	return true
}

// IsExperimental reports whether the test is at the experimental level of the profile: as upstream
// decides it, when any of its features is one of the profile's experimental features.
func (p Profile) IsExperimental(t Test) bool {
	for _, f := range t.Features {
		if slices.Contains(p.Experimental, f) {
			return true
		}
	}
	return false
}
