package manifest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// kindInfo says how to decode one supported kind and where to put it in the snapshot.
type kindInfo struct {
	apiVersion string
	namespaced bool
	// decode decodes the document strictly and returns the object's metadata and a function adding it.
	decode func(body []byte, line int) (*metav1.ObjectMeta, func(*cluster.Snapshot), error)
}

func kind[T any](apiVersion string, namespaced bool, add func(*cluster.Snapshot, *T), meta func(*T) *metav1.ObjectMeta) kindInfo {
	return kindInfo{apiVersion: apiVersion, namespaced: namespaced,
		decode: func(body []byte, line int) (*metav1.ObjectMeta, func(*cluster.Snapshot), error) {
			obj := new(T)
			if err := decodeStrict(body, obj, line); err != nil {
				return nil, nil, err
			}
			return meta(obj), func(s *cluster.Snapshot) { add(s, obj) }, nil
		}}
}

var kinds = map[string]kindInfo{
	"Namespace": kind("v1", false,
		func(s *cluster.Snapshot, o *corev1.Namespace) {
			// The API server always sets this label to the name, and policies select namespaces by it.
			if o.Labels == nil {
				o.Labels = map[string]string{}
			}
			o.Labels[corev1.LabelMetadataName] = o.Name
			s.Namespaces = append(s.Namespaces, o)
		},
		func(o *corev1.Namespace) *metav1.ObjectMeta { return &o.ObjectMeta }),
	"Pod": kind("v1", true,
		func(s *cluster.Snapshot, o *corev1.Pod) { s.Pods = append(s.Pods, o) },
		func(o *corev1.Pod) *metav1.ObjectMeta { return &o.ObjectMeta }),
	"Node": kind("v1", false,
		func(s *cluster.Snapshot, o *corev1.Node) { s.Nodes = append(s.Nodes, o) },
		func(o *corev1.Node) *metav1.ObjectMeta { return &o.ObjectMeta }),
	"NetworkPolicy": kind("networking.k8s.io/v1", true,
		func(s *cluster.Snapshot, o *networkingv1.NetworkPolicy) {
			s.NetworkPolicies = append(s.NetworkPolicies, o)
		},
		func(o *networkingv1.NetworkPolicy) *metav1.ObjectMeta { return &o.ObjectMeta }),
	"AdminNetworkPolicy": kind(anpv1alpha1.GroupVersion.String(), false,
		func(s *cluster.Snapshot, o *anpv1alpha1.AdminNetworkPolicy) { s.ANPs = append(s.ANPs, o) },
		func(o *anpv1alpha1.AdminNetworkPolicy) *metav1.ObjectMeta { return &o.ObjectMeta }),
	"BaselineAdminNetworkPolicy": kind(anpv1alpha1.GroupVersion.String(), false,
		func(s *cluster.Snapshot, o *anpv1alpha1.BaselineAdminNetworkPolicy) { s.BANPs = append(s.BANPs, o) },
		func(o *anpv1alpha1.BaselineAdminNetworkPolicy) *metav1.ObjectMeta { return &o.ObjectMeta }),
}

// policyTestKind is tieracl's policy test file, which example folders hold next to their manifests;
// loading a folder skips it rather than failing on it.
const policyTestKind = "PolicyTest"

// list is `kind: List`, as `kubectl get -o yaml` prints several objects.
type list struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        map[string]any    `json:"metadata,omitempty"`
	Items           []json.RawMessage `json:"items"`
}

func supportedKinds() string {
	var names []string
	for name, k := range kinds {
		names = append(names, k.apiVersion+" "+name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ") + ", v1 List"
}

func unknownKind(tm metav1.TypeMeta) error {
	if tm.Kind == "" {
		return fmt.Errorf("kind: missing; expected one of %s", supportedKinds())
	}
	return fmt.Errorf("kind: unsupported kind %q (apiVersion %q); expected one of %s", tm.Kind, tm.APIVersion, supportedKinds())
}
