package controller_test

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
)

func TestProgramsExampleAndFollowsPodLabels(t *testing.T) {
	snap, err := manifest.Load("../../../examples/01-okd-monitoring-precedence")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, snap)
	e.start()
	e.waitNB(snap)

	pod := snap.Pods[0].DeepCopy()
	pod.Labels = map[string]string{"moved": "yes"}
	if _, err := e.kube.CoreV1().Pods(pod.Namespace).Update(e.ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	snap.Pods[0] = pod
	e.waitNB(snap)
}
