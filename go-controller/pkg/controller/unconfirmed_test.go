package controller_test

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// A transaction NB does not answer within the write timeout may still commit (here NB is paused and
// commits it when resumed). The controller must not count it as written nor forget it: its operations
// are counted as unconfirmed, and the whole-state write that follows reads NB and settles it.
func TestUnansweredWriteIsCountedAndSettled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.putPolicies()
	r := e.start(func(c *controller.Config) {
		c.WriteTimeout, c.ResyncInterval, c.EchoTimeout = 200*time.Millisecond, -1, time.Minute
	})
	e.synced()

	resume, err := e.bed.PauseNB()
	if err != nil {
		t.Fatal(err)
	}
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			_ = resume()
		}
	})
	e.put(testobj.Copy(e.snap.Pods[2], testobj.Relabel("app", "elsewhere"))) // leaves guard's peer set: a member move
	e.eventually("the unanswered transaction is counted as unconfirmed", func() error {
		if testutil.ToFloat64(r.metrics.UnconfirmedOps) == 0 {
			return errors.New("no unconfirmed operation counted")
		}
		return nil
	})
	resumed = true
	if err := resume(); err != nil {
		t.Fatal(err)
	}
	e.synced()
	e.waitReady(r)
	if n := testutil.ToFloat64(r.metrics.Errors.WithLabelValues("nb-write")); n == 0 {
		t.Error("the timed-out write was not counted as a failed write")
	}
}
