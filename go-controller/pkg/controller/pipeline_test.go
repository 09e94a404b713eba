package controller_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// The worker's pipeline, stepped against a fakeNB whose writes wait until the test lets them return.

// settle steps until nothing is queued: the first write, and the start's events that came after it
// (batches that move nothing). committedEvents counts from here.
func (s *stepper) settle() {
	s.t.Helper()
	s.step(nil)
	for len(s.c.Queued()) > 0 {
		s.step(nil)
	}
	s.base = 0
	s.base = s.committedEvents()
}

// committedEvents is how many keys the EventToCommit histogram has seen committed (since s.base).
func (s *stepper) committedEvents() uint64 {
	s.t.Helper()
	var m dto.Metric
	if err := s.metrics.EventToCommit.Write(&m); err != nil {
		s.t.Fatal(err)
	}
	return m.GetHistogram().GetSampleCount() - s.base
}

// move relabels pod i of the snapshot and waits until the controller's informer has it.
func (s *stepper) move(i int, lbl string) {
	s.t.Helper()
	p := s.snap.Pods[i]
	k, v, _ := strings.Cut(lbl, "=")
	s.put(testobj.Copy(p, testobj.Relabel(k, v)))
	s.waitPodLabels(p.Namespace, p.Name, map[string]string{k: v})
}

// guardMoves lists the ports the i-th write sent moves in and out of port groups.
func (s *stepper) guardMoves(i int) string {
	s.t.Helper()
	var out []string
	for _, ch := range s.nb.sentCalls()[i].delta.PortGroups {
		for port := range ch.Remove {
			out = append(out, "-"+port)
		}
		for port := range ch.Add {
			out = append(out, "+"+port)
		}
	}
	slices.Sort(out)
	return fmt.Sprint(out)
}

// A member move is sent while the one before it is still in flight, up to MaxInFlight; the next
// waits in the queue; each is committed, and counted, when its own write returns, oldest first.
func TestStepPipelinesMemberMoves(t *testing.T) {
	s := newStepper(t, withGuard())
	s.settle()
	s.nb.hold()

	s.move(0, "app=x") // web leaves guard's subject
	s.c.Send(s.ctx)
	first := s.nb.waitStarted(s.ctx)
	s.move(1, "app=web") // db joins it: no member in common with the write in flight
	s.c.Send(s.ctx)
	second := s.nb.waitStarted(s.ctx)
	if n := s.c.InFlight(); n != 2 {
		t.Fatalf("%d writes in flight, want 2", n)
	}
	s.move(2, "app=moved")
	s.c.Send(s.ctx) // two in flight: the third waits
	if n := s.c.InFlight(); n != 2 || len(s.c.Queued()) == 0 {
		t.Fatalf("%d writes in flight and %v queued, want the third batch queued behind 2", n, s.c.Queued())
	}
	s.nb.release(second) // answered out of order: still finished oldest first
	if n := s.committedEvents(); n != 0 {
		t.Fatalf("%d events committed before the first write returned", n)
	}
	s.nb.release(first)
	for range 2 {
		if err := s.c.FinishOldest(s.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.committedEvents(); n < 2 { // and guard's status update, if its event came late
		t.Errorf("%d events committed after both writes, want both moves", n)
	}
	if err := s.c.Ready(); err != nil {
		t.Errorf("not ready after both writes: %v", err)
	}
	s.wantModes("two pipelined moves", "[full delta delta]")
	if got := s.guardMoves(1) + s.guardMoves(2); got != "[-a_web][+a_db]" {
		t.Errorf("the pipelined writes move %s, want web out, then db in", got)
	}
}

// A batch that moves a member a write in flight moves is held until that write is finished: sent
// behind it, NB might apply them in either order.
func TestStepHoldsConflictingMove(t *testing.T) {
	s := newStepper(t, withGuard())
	s.settle()
	s.nb.hold()
	s.move(0, "app=x")
	s.c.Send(s.ctx)
	first := s.nb.waitStarted(s.ctx)
	s.move(0, "app=web") // web back into guard's subject: the same member
	s.c.Send(s.ctx)
	if !s.c.Held() || s.c.InFlight() != 1 {
		t.Fatalf("held %v with %d in flight, want the move back held behind the one write", s.c.Held(), s.c.InFlight())
	}
	s.nb.release(first)
	if err := s.c.FinishOldest(s.ctx); err != nil {
		t.Fatal(err)
	}
	s.c.Send(s.ctx) // nothing in flight: the held batch goes
	s.nb.release(s.nb.waitStarted(s.ctx))
	if err := s.c.FinishOldest(s.ctx); err != nil {
		t.Fatal(err)
	}
	s.wantModes("a move and its reversal", "[full delta delta]")
	if got := s.guardMoves(1) + s.guardMoves(2); got != "[-a_web][+a_web]" {
		t.Errorf("the writes move %s, want web out, then in", got)
	}
	if n := s.committedEvents(); n < 2 {
		t.Errorf("%d events committed, want both moves (the held one keeps its key)", n)
	}
}

// When a write fails, the one sent behind it counts as failed too even if NB took it: both batches'
// keys are queued again, nothing of them is counted as committed, and the retry writes the whole state.
func TestStepFailedWriteFailsThoseBehindIt(t *testing.T) {
	s := newStepper(t, withGuard())
	s.settle()
	s.nb.hold()
	s.nb.failNext(errInjected)
	s.move(0, "app=x")
	s.c.Send(s.ctx)
	first := s.nb.waitStarted(s.ctx)
	s.move(1, "app=web")
	s.c.Send(s.ctx)
	second := s.nb.waitStarted(s.ctx)
	s.nb.release(second)
	s.nb.release(first)
	if err := s.c.FinishOldest(s.ctx); err != errInjected {
		t.Fatalf("first write: err = %v, want the injected failure", err)
	}
	if err := s.c.FinishOldest(s.ctx); err != nil {
		t.Fatalf("the write behind it: err = %v, want nil (it is given up, not a failure of its own)", err)
	}
	if err := s.c.Ready(); err == nil {
		t.Error("ready after a failed write")
	}
	want := []controller.Key{{Kind: controller.KindPod, Namespace: "a", Name: "db"},
		{Kind: controller.KindPod, Namespace: "a", Name: "web"}}
	s.waitKeys(want...)
	if n := s.committedEvents(); n != 0 {
		t.Errorf("%d events counted as committed, want 0", n)
	}
	s.nb.unhold()
	s.step(nil) // the retry
	s.wantModes("a failed write, the one behind it and the retry", "[full delta (failed) delta full]")
	full := s.nb.sentCalls()[3].state
	for _, pg := range full.PortGroups {
		if pg.ExternalIDs["tieracl.io/owner-name"] == "guard" && fmt.Sprint(pg.Ports) != "[a_db]" {
			t.Errorf("the retry writes guard's subject as %v, want db only", pg.Ports)
		}
	}
	if n := s.committedEvents(); n < 2 {
		t.Errorf("%d events committed after the retry, want both moves", n)
	}
	if n := testutil.ToFloat64(s.metrics.Errors.WithLabelValues("nb-write")); n != 1 {
		t.Errorf("%v NB write errors counted, want 1", n)
	}
}

// A batch takes at most MaxBatch keys, oldest first; the rest are the next batches.
func TestStepBoundsBatches(t *testing.T) {
	s := newStepper(t, withGuard())
	s.step(nil)
	s.c.SetMaxBatch(1)
	s.move(0, "app=x")
	s.move(1, "app=web")
	s.settle()
	s.wantModes("two moves in batches of one", "[full delta delta]")
	if got := s.guardMoves(1) + s.guardMoves(2); got != "[-a_web][+a_db]" {
		t.Errorf("the batches move %s, want web out (the older event), then db in", got)
	}
}

// The bound leaves the whole-state writes whole: the first write takes every key the informers
// queued, so that when the controller is ready NB holds the whole cluster.
func TestStepBoundLeavesFirstWriteWhole(t *testing.T) {
	s := newStepper(t, withGuard())
	s.c.SetMaxBatch(1)
	s.step(nil)
	s.wantModes("the first batch", "[full]")
	subject := "none"
	for _, pg := range s.nb.sentCalls()[0].state.PortGroups {
		if pg.ExternalIDs["tieracl.io/owner-name"] == "guard" {
			subject = fmt.Sprint(pg.Ports)
		}
	}
	if subject != "[a_web]" {
		t.Errorf("the first write has guard's subject as %s, want [a_web]", subject)
	}
	// The Programmed condition written after it comes back as guard's watch event, at a time of its own:
	// any other key left means the batch was cut.
	for _, k := range s.c.Queued() {
		if k.Kind != controller.KindANP {
			t.Errorf("keys left after the first write: %v", s.c.Queued())
			break
		}
	}
}
