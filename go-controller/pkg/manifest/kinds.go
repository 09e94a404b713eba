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
	cnpv1alpha2 "sigs.k8s.io/network-policy-api/apis/v1alpha2"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// kindInfo says how to decode one supported kind and where to put it in the snapshot.
type kindInfo struct {
	apiVersion string
	namespaced bool
	// decode decodes the document strictly and returns the object's metadata and a function adding it.
	decode func(body []byte, line int) (*metav1.ObjectMeta, func(*cluster.Snapshot), error)
	// also are the kind's other served versions, each with its own decoder.
	also map[string]kindInfo
}

// version returns how to decode the kind in apiVersion, if it is served.
func (k kindInfo) version(apiVersion string) (kindInfo, bool) {
	if apiVersion == k.apiVersion {
		return k, true
	}
	v, ok := k.also[apiVersion]
	return v, ok
}

// versions lists the served versions, the preferred one first.
func (k kindInfo) versions() []string {
	return append([]string{k.apiVersion}, sortedKeys(k.also)...)
}

func kind[T any](apiVersion string, namespaced bool, add func(*cluster.Snapshot, *T),
	meta func(*T) *metav1.ObjectMeta) kindInfo {
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
	"ClusterNetworkPolicy": withVersions(
		kind(cnpv1beta1.GroupVersion.String(), false, addCNP,
			func(o *cnpv1beta1.ClusterNetworkPolicy) *metav1.ObjectMeta { return &o.ObjectMeta }),
		kindInfo{apiVersion: cnpv1alpha2.GroupVersion.String(), decode: decodeCNPv1alpha2}),
}

// decodeCNPv1alpha2 decodes strictly as v1alpha2, so errors name that version's fields, and converts.
func decodeCNPv1alpha2(body []byte, line int) (*metav1.ObjectMeta, func(*cluster.Snapshot), error) {
	in := &cnpv1alpha2.ClusterNetworkPolicy{}
	if err := decodeStrict(body, in, line); err != nil {
		return nil, nil, err
	}
	out, err := cnpFromV1alpha2(in)
	if err != nil {
		return nil, nil, err
	}
	return &out.ObjectMeta, func(s *cluster.Snapshot) { addCNP(s, out) }, nil
}

func withVersions(preferred kindInfo, others ...kindInfo) kindInfo {
	preferred.also = map[string]kindInfo{}
	for _, o := range others {
		preferred.also[o.apiVersion] = o
	}
	return preferred
}

func addCNP(s *cluster.Snapshot, o *cnpv1beta1.ClusterNetworkPolicy) { s.CNPs = append(s.CNPs, o) }

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
		for _, v := range k.versions() {
			names = append(names, v+" "+name)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ") + ", v1 List"
}

func unknownKind(tm metav1.TypeMeta) error {
	if tm.Kind == "" {
		return fmt.Errorf("kind: missing; expected one of %s", supportedKinds())
	}
	return fmt.Errorf("kind: unsupported kind %q (apiVersion %q); expected one of %s", tm.Kind, tm.APIVersion,
		supportedKinds())
}

// isPolicyGroup reports whether apiVersion is of the policy API's group, whose kinds tieracl reads: an
// unknown kind there is a mistake (a typo, a version not supported), never skipped.
func isPolicyGroup(apiVersion string) bool {
	return strings.HasPrefix(apiVersion, anpv1alpha1.GroupVersion.Group+"/")
}
