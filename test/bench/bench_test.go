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
	for raw, want := range map[string][]string{`"10.0.0.1"`: {"10.0.0.1"}, `["set",[]]`: {}, `["set",["a","b"]]`: {"a", "b"}} {
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
// restart that writes nothing, and two short pod label streams whose every event reaches NB.
func TestRunSmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l := synth.Large{Namespaces: 8, PodsPerNamespace: 5, Nodes: 2, ANPs: 4, RulesPerANP: 6, NetworkPolicies: 12, BANPRules: 4, Seed: 1}
	w, err := LoadWorkload(ctx, "synth", WorkloadOptions{Synth: l})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, w, Options{Rate: 100, Duration: time.Second, MaxDuration: time.Second, Seed: 1})
	if err != nil {
		t.Fatalf("bench failed: %v", err)
	}
	if rep.Rows.LogicalSwitchPorts != 40 || rep.Rows.ACLs == 0 || rep.Rows.AddressSetEntries == 0 || !rep.FullSync.Matches {
		t.Errorf("full sync: %+v, NB = translation %v", rep.Rows, rep.FullSync.Matches)
	}
	if rep.Restart.Ops != 0 {
		t.Errorf("restart wrote %v operations", rep.Restart.Ops)
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
