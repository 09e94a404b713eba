package controller_test

import (
	"testing"
	"time"
)

// While a whole-state write is out, the set audit does not ask NB to compare the sets: the write has
// NB compare every one itself. Once it has returned, the audit goes again.
func TestStepNoSetAuditBesideWholeStateWrite(t *testing.T) {
	s := newStepper(t, withGuard())
	s.settle()
	s.nb.hold()
	s.c.Resync()
	s.c.Send(s.ctx)
	write := s.nb.waitStarted(s.ctx)
	s.c.AuditSets(s.ctx)
	select {
	case <-s.nb.audits:
		t.Fatal("the set audit compared the sets while a whole-state write was in flight")
	case <-time.After(50 * time.Millisecond): // the audit is asynchronous: give it time to go wrong
	}
	s.nb.release(write)
	if err := s.c.FinishOldest(s.ctx); err != nil {
		t.Fatal(err)
	}
	s.wantModes("the resync", "[full full]")
	s.c.AuditSets(s.ctx)
	select {
	case <-s.nb.audits:
	case <-s.ctx.Done():
		t.Fatal("no set audit after the whole-state write returned")
	}
}
