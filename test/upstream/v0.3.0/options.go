// Package upstream runs sigs.k8s.io/network-policy-api v0.3.0's conformance suite unchanged: the
// ClusterNetworkPolicy profile (Admin and Baseline tiers) with the experimental named ports and egress
// node peers, every test but the SCTP ones (this kernel has no SCTP), skipped by name.
package upstream

import (
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	confv1a1 "sigs.k8s.io/network-policy-api/conformance/apis/v1alpha1"
	"sigs.k8s.io/network-policy-api/conformance/utils/config"
	"sigs.k8s.io/network-policy-api/conformance/utils/suite"

	"github.com/tieracl/tieracl/test/upstream/harness"
)

// SuiteName names the suite in the run file and the verdict.
const SuiteName = "sigs.k8s.io/network-policy-api v0.3.0"

// Profiles are the conformance profiles the harness runs.
var Profiles = []suite.ConformanceProfileName{suite.CNPConformanceProfileName}

// Features are the features tieracl supports: ClusterNetworkPolicy and its experimental named ports
// and egress node peers.
var Features = []suite.SupportedFeature{
	suite.SupportClusterNetworkPolicy,
	suite.SupportClusterNetworkPolicyNamedPorts,
	suite.SupportClusterNetworkPolicyEgressNodePeers,
}

// SkipTests are the tests skipped, by name: the SCTP ones. This kernel cannot open SCTP sockets, so
// agnhost cannot serve or connect; SCTP is proven with ovn-trace instead (test/conformance).
var SkipTests = []string{
	"CNPAdminTierEgressSCTP",
	"CNPAdminTierIngressSCTP",
	"CNPBaselineTierEgressSCTP",
	"CNPBaselineTierIngressSCTP",
}

// Host-network ports for the suite's host-network server pods: below Linux's ephemeral range
// (32768-60999), so no outgoing connection on a node can hold them, and below the NodePort range.
const (
	HostNetworkPortRangeStart = 20345
	HostNetworkPortRangeEnd   = 20352
)

// Settings are what the caller chooses for a run.
type Settings struct {
	// RequestTimeout is agnhost connect's --timeout on each probe; a denied probe waits that long.
	RequestTimeout time.Duration
	// PokeTimeout bounds the retries of a probe until it gives the expected result.
	PokeTimeout time.Duration
	// ReadyTimeout bounds the wait for the base workload (10 pods) to be Ready.
	ReadyTimeout time.Duration
	// Version is tieracl's version in the report.
	Version string
}

// ProfileOptions are the suite's options for a run against the cluster behind c, cs and cfg.
func ProfileOptions(c client.Client, cs kubernetes.Interface, cfg *rest.Config,
	s Settings) suite.ConformanceProfileOptions {
	return suite.ConformanceProfileOptions{
		Options: suite.Options{
			Client:                    c,
			ClientSet:                 cs,
			KubeConfig:                *cfg,
			CleanupBaseResources:      true,
			SupportedFeatures:         sets.New(Features...),
			SkipTests:                 SkipTests,
			HostNetworkPortRangeStart: HostNetworkPortRangeStart,
			HostNetworkPortRangeEnd:   HostNetworkPortRangeEnd,
			TimeoutConfig: config.TimeoutConfig{
				RequestTimeout:        s.RequestTimeout,
				PokeTimeout:           s.PokeTimeout,
				NamespacesMustBeReady: s.ReadyTimeout,
			},
		},
		Implementation:      Implementation(s.Version),
		ConformanceProfiles: sets.New(Profiles...),
	}
}

// Implementation describes tieracl in the report.
func Implementation(version string) confv1a1.Implementation {
	return confv1a1.Implementation{Organization: harness.Organization, Project: harness.Project, URL: harness.URL,
		Version: version, Contact: []string{harness.Contact}, AdditionalInformation: harness.AdditionalInfo}
}
