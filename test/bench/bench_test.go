package bench

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/synth"
)

func TestSymmetricDiff(t *testing.T) {
	got := symmetricDiff([]string{"a", "c", "d"}, []string{"b", "c", "e"})
	if want := []string{"a", "b", "d", "e"}; !slices.Equal(got, want) {
		t.Fatalf("symmetricDiff = %v, want %v", got, want)
	}
}

func TestSetAtoms(t *testing.T) {
	for raw, want := range map[string][]string{`"10.0.0.1"`: {"10.0.0.1"}, `["set",[]]`: {},
		`["set",["a","b"]]`: {"a", "b"}} {
		got, err := setAtoms([]byte(raw))
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("setAtoms(%s) = %v, %v; want %v", raw, got, err, want)
		}
	}
	if _, err := setAtoms([]byte(`["map",[]]`)); err == nil {
		t.Error("setAtoms took a map")
	}
}

// TestRunSmall runs every phase on a small generated cluster against a real NB: the full sync, a
// restart that writes nothing, and two short pod label streams whose every event reaches NB; with the
// sets written whole and with a shard bound so small that most sets are in shards.
func TestRunSmall(t *testing.T) {
	wholeSets := 0
	for _, tt := range []struct {
		name       string
		shardBound int
	}{{"whole sets", 0}, {"shards of 4", 4}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			l := synth.Large{Namespaces: 8, PodsPerNamespace: 5, Nodes: 2, ANPs: 4, RulesPerANP: 6, NetworkPolicies: 12,
				BANPRules: 4, Seed: 1}
			w, err := LoadWorkload(ctx, "synth", WorkloadOptions{Synth: l})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run(ctx, w, Options{Rate: 100, Duration: time.Second, MaxDuration: time.Second, Seed: 1,
				ShardBound: tt.shardBound})
			if err != nil {
				t.Fatalf("bench failed: %v", err)
			}
			checkSmall(t, rep)
			if tt.shardBound < 0 {
				wholeSets = rep.Rows.AddressSets
			} else if rep.Rows.AddressSets <= wholeSets {
				t.Errorf("%d address set rows, no more than the %d of whole sets: nothing was sharded",
					rep.Rows.AddressSets, wholeSets)
			}
		})
	}
}

func checkSmall(t *testing.T, rep *Report) {
	t.Helper()
	if rep.Rows.LogicalSwitchPorts != 40 || rep.Rows.ACLs == 0 || rep.Rows.AddressSetEntries == 0 ||
		!rep.FullSync.Matches {
		t.Errorf("full sync: %+v, NB = translation %v", rep.Rows, rep.FullSync.Matches)
	}
	if rep.Restart.Ops != 0 {
		t.Errorf("restart wrote %v operations", rep.Restart.Ops)
	}
	if l := rep.Limit; l == nil || float64(l.Written) != rep.FullSync.Ops || l.Written <= l.Ops || l.Seconds <= 0 ||
		rep.LimitRatio <= 0 {
		t.Errorf("limit: %+v, ratio %v, full sync ops %v", l, rep.LimitRatio, rep.FullSync.Ops)
	}
	if n := rep.Northd; n == nil || n.ColdSeconds <= 0 || n.Flows == 0 || n.ACLFlows == 0 || n.ACLFlows >= n.Flows ||
		n.PodMoveSeconds <= 0 || n.PodMoveAPISeconds < n.PodMoveSeconds || n.PeakRSSMB <= 0 {
		t.Errorf("ovn-northd: %+v", n)
	}
	if len(rep.Streams) != 2 || !rep.FinalMatch {
		t.Fatalf("%d streams, NB = translation after them %v", len(rep.Streams), rep.FinalMatch)
	}
	for _, s := range rep.Streams {
		if s.Events == 0 || s.Committed != s.Events || s.SetChanges == 0 || s.Ops == 0 || s.Unexpected != 0 {
			t.Errorf("stream %s: %+v", s.Name, s)
		}
	}
}

func TestTargetsFollowTheWorkload(t *testing.T) {
	for _, c := range []struct {
		workload string
		limit    string // of the restart
		missed   []string
	}{
		{"w1", "<= 1.5 s", []string{"restart to Ready", "full sync / its operations alone (limit_ratio)",
			"p50 event-to-commit (steady)", "p99 event-to-commit (max rate)"}},
		{"W2", "<= 15 s", nil},
	} {
		r := &Report{Workload: c.workload, FullSync: FullSync{Seconds: 8, Usage: Usage{PeakRSSMB: 400}},
			Restart: Restart{Seconds: 2}, Limit: &Limit{Seconds: 1}, LimitRatio: 8, Streams: []Stream{
				{Name: "steady", OfferedRate: 1000, Throughput: 1000, Committed: 100, P50ms: 20, P99ms: 40},
				{Name: "max rate", Throughput: 6000, Committed: 100, P50ms: 500, P99ms: 1500}}}
		var missed []string
		for _, tg := range r.Targets() {
			if tg.Name == "restart to Ready" && tg.Limit != c.limit {
				t.Errorf("%s: restart target %s, want %s", c.workload, tg.Limit, c.limit)
			}
			if !tg.Met {
				missed = append(missed, tg.Name)
			}
		}
		slices.Sort(missed)
		slices.Sort(c.missed)
		if !slices.Equal(missed, c.missed) {
			t.Errorf("%s: missed %q, want %q", c.workload, missed, c.missed)
		}
	}
}
