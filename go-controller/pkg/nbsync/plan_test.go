package nbsync_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/golden"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// These tests are pure: Plan and PlanDelta see NB only through what they are given.

// fakeUUIDs hands out UUIDs that read as their order of creation.
type fakeUUIDs struct{ n int }

func (u *fakeUUIDs) next() string { u.n++; return fmt.Sprintf("00000000-0000-0000-0000-%012d", u.n) }

// holding is the Current of an NB that holds s exactly, with the logical switch ports named.
func holding(s *nbrows.State, ports ...string) *nbsync.Current {
	u := &fakeUUIDs{}
	cur := &nbsync.Current{Ports: map[string]string{}}
	for _, p := range ports {
		cur.Ports[p] = u.next()
	}
	aclUUIDs := map[string][]string{}
	for _, a := range s.ACLs {
		row := &nbdb.ACL{UUID: u.next(), Action: a.Action, Direction: a.Direction, ExternalIDs: a.ExternalIDs,
			Log: a.Log, Match: a.Match, Options: a.Options, Priority: a.Priority, Tier: a.Tier}
		row.Name = opt(a.Name)
		row.Severity, row.Meter = opt(a.Severity), opt(a.Meter)
		if row.Options == nil {
			row.Options = map[string]string{}
		}
		cur.ACLs = append(cur.ACLs, row)
		aclUUIDs[a.PortGroup] = append(aclUUIDs[a.PortGroup], row.UUID)
	}
	for _, g := range s.PortGroups {
		row := &nbdb.PortGroup{UUID: u.next(), Name: g.Name, ACLs: aclUUIDs[g.Name], ExternalIDs: g.ExternalIDs}
		for _, p := range g.Ports {
			if uuid, ok := cur.Ports[p]; ok {
				row.Ports = append(row.Ports, uuid)
			}
		}
		cur.PortGroups = append(cur.PortGroups, row)
	}
	for _, a := range s.AddressSets {
		cur.AddressSets = append(cur.AddressSets, &nbdb.AddressSet{UUID: u.next(), Name: a.Name,
			Addresses: a.Addresses, ExternalIDs: a.ExternalIDs})
	}
	for _, m := range s.Meters {
		band := &nbdb.MeterBand{UUID: u.next(), Action: nbrows.MeterActionDrop, Rate: m.Rate, BurstSize: m.Burst,
			ExternalIDs: m.ExternalIDs}
		fair := m.Fair
		cur.Meters = append(cur.Meters, &nbdb.Meter{UUID: u.next(), Name: m.Name, Unit: m.Unit, Fair: &fair,
			Bands: []string{band.UUID}, ExternalIDs: m.ExternalIDs})
		cur.MeterBands = append(cur.MeterBands, band)
	}
	return cur
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

var ports = []string{"ns_a", "ns_b", "ns_c"}

func TestPlan(t *testing.T) {
	base := func() *nbrows.State { return state([]string{"ns_a", "ns_b"}, []string{"10.0.0.1", "10.0.0.2"}, 100) }
	cases := []struct {
		name    string
		cur     *nbsync.Current
		desired *nbrows.State
		wantErr string
	}{
		{name: "create", cur: holding(&nbrows.State{}, ports...),
			desired: state([]string{"ns_a", "ns_b", "ns_later"}, []string{"10.0.0.1", "10.0.0.2"}, 100)},
		{name: "unchanged", cur: holding(base(), ports...), desired: base()},
		{name: "members moved", cur: holding(base(), ports...),
			desired: state([]string{"ns_b", "ns_c"}, []string{"10.0.0.2", "10.0.0.3"}, 100)},
		{name: "priority changed", cur: holding(base(), ports...),
			desired: state([]string{"ns_a", "ns_b"}, []string{"10.0.0.1", "10.0.0.2"}, 90)},
		{name: "external ids changed", cur: holding(base(), ports...), desired: func() *nbrows.State {
			s := base()
			s.PortGroups[0].ExternalIDs = ids("y")
			s.AddressSets[0].ExternalIDs = ids("y")
			return s
		}()},
		{name: "one ACL gone", cur: holding(base(), ports...), desired: func() *nbrows.State {
			s := base()
			s.ACLs = s.ACLs[:1]
			return s
		}()},
		{name: "all gone", cur: holding(base(), ports...), desired: &nbrows.State{}},
		{name: "duplicate ACL dropped", cur: func() *nbsync.Current {
			cur := holding(base(), ports...)
			dup := *cur.ACLs[0]
			dup.UUID = "ffffffff-0000-0000-0000-000000000000"
			cur.ACLs = append(cur.ACLs, &dup)
			cur.PortGroups[0].ACLs = append(cur.PortGroups[0].ACLs, dup.UUID)
			return cur
		}(), desired: base()},
		{name: "logging on", cur: holding(loggedState(0), ports...), desired: loggedState(20)},
		{name: "log rate changed", cur: holding(loggedState(20), ports...), desired: loggedState(5)},
		{name: "logging off", cur: holding(loggedState(20), ports...), desired: loggedState(0)},
		{name: "meter name taken", cur: func() *nbsync.Current {
			cur := holding(loggedState(0), ports...)
			cur.ForeignMeters = []string{"tieracl_acl_logging"}
			return cur
		}(), desired: loggedState(20), wantErr: "does not own"},
		{name: "invalid state", cur: holding(&nbrows.State{}), desired: func() *nbrows.State {
			s := base()
			s.ACLs[1].Name = s.ACLs[0].Name
			return s
		}(), wantErr: "two ACLs are named"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ops, stats, err := nbsync.Plan(tc.cur, tc.desired)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if stats.Ops != len(ops) {
				t.Errorf("stats count %d operations, the plan has %d", stats.Ops, len(ops))
			}
			out := fmt.Sprintf("%+v\n%s", stats, opsText(ops))
			golden.Check(t, filepath.Join("testdata", "plan", strings.ReplaceAll(tc.name, " ", "-")+".golden"), []byte(out))
		})
	}
}

// A plan applied is what NB then holds: planning again from there writes nothing.
func TestPlanOfHeldStateIsEmpty(t *testing.T) {
	for _, s := range []*nbrows.State{state(ports, []string{"10.0.0.1"}, 100), loggedState(20), {}} {
		if ops, _, err := nbsync.Plan(holding(s, ports...), s); err != nil || len(ops) != 0 {
			t.Errorf("plan of a held state: %v (%v), want no operations\n%s", len(ops), err, opsText(ops))
		}
	}
}

func TestPlanDelta(t *testing.T) {
	rows := map[string]string{
		nbdb.AddressSetTable + " as_x_v4":     "00000000-0000-0000-0000-0000000000a1",
		nbdb.PortGroupTable + " pg_x":         "00000000-0000-0000-0000-0000000000b1",
		nbdb.LogicalSwitchPortTable + " ns_a": "00000000-0000-0000-0000-0000000000c1",
		nbdb.LogicalSwitchPortTable + " ns_b": "00000000-0000-0000-0000-0000000000c2",
	}
	lookup := func(table, name string) (string, bool) { uuid, ok := rows[table+" "+name]; return uuid, ok }
	cases := []struct {
		name    string
		delta   func(*nbrows.Delta)
		wantErr error
	}{
		{name: "moves", delta: func(d *nbrows.Delta) {
			nbrows.AddTo(d.PortGroups, "pg_x", "ns_b")
			nbrows.AddTo(d.PortGroups, "pg_x", "ns_missing")
			nbrows.RemoveFrom(d.PortGroups, "pg_x", "ns_a")
			nbrows.AddTo(d.AddressSets, "as_x_v4", "10.0.0.3")
			nbrows.RemoveFrom(d.AddressSets, "as_x_v4", "10.0.0.1")
		}},
		{name: "nothing", delta: func(*nbrows.Delta) {}},
		{name: "missing address set", wantErr: nbsync.ErrRowMissing,
			delta: func(d *nbrows.Delta) { nbrows.AddTo(d.AddressSets, "as_nope", "10.0.0.9") }},
		{name: "missing port group", wantErr: nbsync.ErrRowMissing,
			delta: func(d *nbrows.Delta) { nbrows.AddTo(d.PortGroups, "pg_nope", "ns_a") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := nbrows.NewDelta()
			tc.delta(d)
			ops, stats, err := nbsync.PlanDelta(lookup, d)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out := fmt.Sprintf("%+v\n%s", stats, opsText(ops))
			golden.Check(t, filepath.Join("testdata", "delta", strings.ReplaceAll(tc.name, " ", "-")+".golden"), []byte(out))
		})
	}
}
