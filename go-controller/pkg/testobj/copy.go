package testobj

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Object is any API object testobj builds; Copy works on each.
type Object interface {
	metav1.Object
	runtime.Object
}

// Copy returns a deep copy of obj with the metadata tweaks applied, leaving obj as it was: the new
// version of an object a test updates.
func Copy[T Object](obj T, tweaks ...MetaTweak) T {
	c, ok := obj.DeepCopyObject().(T)
	if !ok {
		panic("testobj.Copy: DeepCopyObject changed the type")
	}
	for _, t := range tweaks {
		t(c)
	}
	return c
}

// Relabel replaces the labels with key, value pairs; a namespace keeps its kubernetes.io/metadata.name
// label, as the API server keeps it.
func Relabel(kv ...string) MetaTweak {
	return func(o metav1.Object) {
		l := pairs(nil, kv)
		if ns, ok := o.(*corev1.Namespace); ok {
			l[corev1.LabelMetadataName] = ns.Name
		}
		o.SetLabels(l)
	}
}
