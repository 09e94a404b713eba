package manifest

import (
	"encoding/json"
	"fmt"

	cnpv1alpha2 "sigs.k8s.io/network-policy-api/apis/v1alpha2"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
)

// cnpFromV1alpha2 converts a v1alpha2 ClusterNetworkPolicy to v1beta1, the storage version the rest of
// tieracl reads. The two versions have the same schema, field for field (as the API server's conversion
// assumes), so the JSON form of one is the other.
func cnpFromV1alpha2(in *cnpv1alpha2.ClusterNetworkPolicy) (*cnpv1beta1.ClusterNetworkPolicy, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	out := &cnpv1beta1.ClusterNetworkPolicy{}
	if err := json.Unmarshal(data, out); err != nil {
		return nil, fmt.Errorf("convert ClusterNetworkPolicy v1alpha2 to v1beta1: %w", err)
	}
	out.APIVersion = cnpv1beta1.GroupVersion.String()
	return out, nil
}
