package model

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
)

// selectorOf converts a label selector with Kubernetes' own rules (In, NotIn, Exists, DoesNotExist;
// empty selects everything). A nil selector selects nothing.
func selectorOf(ls *metav1.LabelSelector) (labels.Selector, error) {
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		return nil, fmt.Errorf("invalid selector: %v", err)
	}
	return sel, nil
}

func namespacedPodSelectors(np *anpv1alpha1.NamespacedPod) (nsSel, podSel labels.Selector, err error) {
	if nsSel, err = selectorOf(&np.NamespaceSelector); err != nil {
		return nil, nil, err
	}
	if podSel, err = selectorOf(&np.PodSelector); err != nil {
		return nil, nil, err
	}
	return nsSel, podSel, nil
}
