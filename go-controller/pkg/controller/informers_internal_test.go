package controller

import (
	"reflect"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// The informers keep of namespaces and nodes exactly what the controller reads, and nothing else.
func TestTrimNamespacesAndNodes(t *testing.T) {
	meta := func(annotations map[string]string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: "a", UID: "u1", ResourceVersion: "7", Labels: map[string]string{"team": "x"},
			Annotations: annotations, Finalizers: []string{"kubernetes"},
			ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply}}}
	}
	kept := metav1.ObjectMeta{Name: "a", UID: "u1", ResourceVersion: "7", Labels: map[string]string{"team": "x"}}
	withAnnotation := func(m metav1.ObjectMeta, k, v string) metav1.ObjectMeta {
		m.Annotations = map[string]string{k: v}
		return m
	}
	addresses := []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0.1"}}
	cases := []struct {
		name     string
		trim     func(any) (any, error)
		in, want any
	}{
		{"namespace", trimNamespace,
			&corev1.Namespace{ObjectMeta: meta(map[string]string{policy.LoggingAnnotation: `{"deny":"alert"}`,
				"other": "x"}), Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}},
			&corev1.Namespace{ObjectMeta: withAnnotation(kept, policy.LoggingAnnotation, `{"deny":"alert"}`)}},
		{"namespace without annotation", trimNamespace,
			&corev1.Namespace{ObjectMeta: meta(map[string]string{"other": "x"})}, &corev1.Namespace{ObjectMeta: kept}},
		{"node", trimNode(ZoneKey),
			&corev1.Node{ObjectMeta: meta(map[string]string{ZoneKey: "az1", "other": "x"}),
				Spec:   corev1.NodeSpec{PodCIDR: "10.1.0.0/24"},
				Status: corev1.NodeStatus{Addresses: addresses, Images: []corev1.ContainerImage{{Names: []string{"i"}}}}},
			&corev1.Node{ObjectMeta: withAnnotation(kept, ZoneKey, "az1"), Status: corev1.NodeStatus{Addresses: addresses}}},
		{"node, another zone key", trimNode("example.com/zone"),
			&corev1.Node{ObjectMeta: meta(map[string]string{ZoneKey: "az1", "example.com/zone": "z2"})},
			&corev1.Node{ObjectMeta: withAnnotation(kept, "example.com/zone", "z2")}},
		{"not a node", trimNode(ZoneKey), &corev1.Pod{ObjectMeta: kept}, &corev1.Pod{ObjectMeta: kept}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.trim(tc.in)
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("trimmed to %+v (%v), want %+v", got, err, tc.want)
			}
		})
	}
}
