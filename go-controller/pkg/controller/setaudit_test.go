package controller_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
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

// The audit of port groups' ports: NB answers with a group's ports (UUIDs), and the worker calls it
// drift only when they are not the group's members that NB has a port for. A member whose port has
// just appeared, and which the group gets once the worker handles that, is no drift; nor is a UUID of
// a port the cache does not hold (yet).
func TestStepGroupAudit(t *testing.T) {
	s := newStepper(t, withGuard())
	s.settle()
	var group string
	for _, pg := range s.nb.sentCalls()[0].state.PortGroups {
		if pg.ExternalIDs[nbrows.KeyOwnerName] == "guard" {
			group = pg.Name
		}
	}
	if group == "" {
		t.Fatal("no port group for guard")
	}
	for _, tt := range []struct {
		name   string
		nb     []string // the ports NB's group holds, by name ("?" is a UUID of no known port)
		queued string   // a port queued as just appeared
		drift  bool
	}{
		{"the members", []string{"a_web"}, "", false},
		{"a member missing", nil, "", true},
		{"a member missing whose port just appeared", nil, "a_web", false},
		{"a port of another pod", []string{"a_web", "c_other"}, "", true},
		{"only a port of another pod", []string{"c_other"}, "", true},
		{"a port the cache does not hold", []string{"a_web", "?"}, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.nb.mu.Lock()
			s.nb.groups = func(want []nbrows.PortGroup, port nbsync.PortUUID) []*nbdb.PortGroup {
				g := &nbdb.PortGroup{Name: group}
				for _, name := range tt.nb {
					uuid, ok := port(name)
					if name == "?" {
						uuid, ok = "00000000-0000-0000-0000-999999999999", true
					}
					if !ok {
						t.Errorf("port %s: the audit's lookup does not find it", name)
					}
					g.Ports = append(g.Ports, uuid)
				}
				return []*nbdb.PortGroup{g}
			}
			s.nb.mu.Unlock()
			if tt.queued != "" {
				s.c.QueuePort(tt.queued)
			}
			keys, ok := s.c.Audit(s.ctx)
			if !ok {
				t.Fatal("no audit went")
			}
			want := []controller.Key(nil)
			if tt.drift {
				want = []controller.Key{{Kind: controller.KindDrift, Namespace: nbdb.PortGroupTable, Name: group}}
			}
			if !slices.Equal(keys, want) {
				t.Errorf("drift keys %v, want %v", keys, want)
			}
			if tt.queued != "" {
				s.settle() // the worker handles the port: the group gets it
			}
		})
	}
}
