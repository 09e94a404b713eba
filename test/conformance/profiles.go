package conformance

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

// Known reports whether f is a feature of the suite.
func (f Feature) Known() bool {
	for _, p := range Profiles {
		if p.has(f) {
			return true
		}
	}
	return false
}

// Profile is an upstream conformance profile: the features it tests at the standard and the
// experimental level.
type Profile struct {
	Name         string
	Standard     []Feature
	Experimental []Feature
}

// Profiles are the suite's profiles (utils/suite/conformance_profiles.go), sorted by name.
var Profiles = []Profile{
	{Name: "AdminNetworkPolicy", Standard: []Feature{FeatureANP},
		Experimental: []Feature{FeatureANPEgressNodePeers, FeatureANPNamedPorts}},
	{Name: "BaselineAdminNetworkPolicy", Standard: []Feature{FeatureBANP},
		Experimental: []Feature{FeatureBANPEgressNodePeers, FeatureBANPNamedPorts}},
}

func (p Profile) has(f Feature) bool { return contains(p.Standard, f) || contains(p.Experimental, f) }

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
		if contains(p.Experimental, f) {
			return true
		}
	}
	return false
}

func contains(fs []Feature, f Feature) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}
