package controller_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// wrongPortName is a port-name template that matches none of the test bed's ports.
func wrongPortName(namespace, name string) string { return "wrong-" + namespace + "-" + name }

// A policy whose subject has pods with IPs but no logical switch port (here: a port-name template that
// does not match the CNI's names) is not enforced for them: its condition is Programmed=False
// PortsMissing with the count and examples, and tieracl_pods_without_port counts them.
func TestWrongPortTemplateIsLoud(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	r := e.start(func(c *controller.Config) { c.PortName = wrongPortName })
	e.eventually("condition says the ports are missing", func() error {
		return e.anpConditionSays("guard", metav1.ConditionFalse, controller.ReasonPortsMissing,
			"2 selected pods", "a/db (port wrong-a-db)", "a/web (port wrong-a-web)")
	})
	if n := testutil.ToFloat64(r.metrics.PodsWithoutPort); n != 2 {
		t.Errorf("tieracl_pods_without_port = %v, want 2", n)
	}
}

// A selected pod whose port is missing is a gap only once it has IPs (before, no traffic reaches it),
// and it is closed when the port appears.
func TestPodWithoutPortUntilItAppears(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	r := e.start()
	e.synced()
	pending := pod("a", "late", 9, testobj.Labels("app", "web"))
	pending.Status = corev1.PodStatus{Phase: corev1.PodPending}
	e.put(pending)
	e.synced()
	e.eventually("no gap for a pod without IPs", func() error {
		return e.anpConditionSays("guard", metav1.ConditionTrue, controller.ReasonProgrammed)
	})
	e.put(pod("a", "late", 9, testobj.Labels("app", "web")))
	e.eventually("gap for the pod with IPs", func() error {
		return e.anpConditionSays("guard", metav1.ConditionFalse, controller.ReasonPortsMissing,
			"1 selected pods", "a/late (port a_late)")
	})
	if n := testutil.ToFloat64(r.metrics.PodsWithoutPort); n != 1 {
		t.Errorf("tieracl_pods_without_port = %v, want 1", n)
	}
	if _, err := e.bed.NBCtl(e.ctx, "lsp-add", ovnsandbox.SwitchName, "a_late"); err != nil {
		t.Fatal(err)
	}
	e.eventually("no gap once the port is there", func() error {
		return e.anpConditionSays("guard", metav1.ConditionTrue, controller.ReasonProgrammed)
	})
	if n := testutil.ToFloat64(r.metrics.PodsWithoutPort); n != 0 {
		t.Errorf("tieracl_pods_without_port = %v once the port is there, want 0", n)
	}
}

// At start the controller checks the port-name template against NB and warns, naming pods and their
// missing ports and some ports NB has. Not parallel: it captures klog's output, which is global.
func TestPortTemplateCheckedAtStart(t *testing.T) {
	var buf syncBuffer
	klog.LogToStderr(false)
	klog.SetOutput(&buf)
	t.Cleanup(func() { klog.LogToStderr(true); klog.SetOutput(nil) })
	e := newEnv(t, world())
	r := e.start(func(c *controller.Config) { c.PortName = wrongPortName })
	e.eventually("warning logged", func() error {
		for _, line := range strings.Split(buf.String(), "\n") {
			if strings.HasPrefix(line, "W") && strings.Contains(line, "4 of 4 pods with IPs have no logical switch port") &&
				strings.Contains(line, "a/db (port wrong-a-db)") && strings.Contains(line, "NB has ports such as: a_db") {
				return nil
			}
		}
		return fmt.Errorf("no such warning in:\n%s", buf.String())
	})
	r.stop()
}

// anpConditionSays checks the ANP's Programmed condition and that its message holds each of texts.
func (e *env) anpConditionSays(name string, status metav1.ConditionStatus, reason string, texts ...string) error {
	if err := e.anpCondition(name, status, reason); err != nil {
		return err
	}
	a, err := e.policy.PolicyV1alpha1().AdminNetworkPolicies().Get(e.ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, c := range a.Status.Conditions {
		for _, text := range texts {
			if c.Type == controller.ConditionProgrammed && !strings.Contains(c.Message, text) {
				return fmt.Errorf("condition message %q lacks %q", c.Message, text)
			}
		}
	}
	return nil
}

// syncBuffer is a bytes.Buffer safe for klog's writer and the test's reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
