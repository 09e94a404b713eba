package cluster

import (
	"github.com/tieracl/tieracl/test/kube"
)

// crdFiles are the manifests of the CRD set, from dist/ (`make crds`): v0.1.7's ANP and BANP, or v0.3.0's
// ClusterNetworkPolicy alone. Never both: v0.3.0's conformance suite refuses to run when CRDs of two bundle
// versions are installed, and a cluster set up from v0.3.0 has no v1alpha1 CRDs (the controller watches only
// the kinds the API server serves).
func crdFiles(set string) ([]string, error) {
	if set == CRDsV030 {
		return kube.CRDFiles(kube.CRDsV030)
	}
	return kube.CRDFiles(kube.CRDsV017)
}
