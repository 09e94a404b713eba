package controller_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// fullWrites counts the batches the controller wrote as a whole-state write.
func fullWrites(t *testing.T, m *controller.Metrics) uint64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(m.Reconcile)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, f := range families {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "mode" && l.GetValue() == "full" {
					n += s.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return n
}

// An NB that answers late (paused here; the connection stays) makes the controller not ready while it
// lasts, but it is no lost connection: no update was missed, so when NB answers again the controller is
// ready without writing the whole state, and later changes go out as member moves. Under load a whole-
// state write each time an echo came late made NB slower still.
func TestSlowNBIsNoLostConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("guard", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel()))))
	r := e.start(func(c *controller.Config) { c.ResyncInterval, c.EchoTimeout = -1, 100*time.Millisecond })
	e.synced()
	before := fullWrites(t, r.metrics)

	resume, err := e.bed.PauseNB()
	if err != nil {
		t.Fatal(err)
	}
	resumed := false
	t.Cleanup(func() { // the bed cannot stop a stopped server
		if !resumed {
			_ = resume()
		}
	})
	e.waitNotReady(r)
	time.Sleep(300 * time.Millisecond) // several late echoes
	resumed = true
	if err := resume(); err != nil {
		t.Fatal(err)
	}
	e.waitReady(r)
	e.put(testobj.Copy(e.snap.Pods[1], testobj.Relabel("app", "web")))
	e.synced()
	if n := fullWrites(t, r.metrics) - before; n != 0 {
		t.Fatalf("a slow NB was taken for a lost connection: %d whole-state writes after it answered again", n)
	}
}
