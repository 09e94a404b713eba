package bench

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/synth"
)

// TestMain lets RunZones start this test binary again as a zone worker.
func TestMain(m *testing.M) {
	if IsZoneWorker() {
		if err := RunZoneWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunZonesSmall spreads a small generated cluster over three zones, each with its own NB and
// zone-mode controller process: every zone's NB holds the translation (its own pods' members only, which
// add up to the central translation's), no zone counts a pod of its own without a port, and every pod
// move reaches every zone.
func TestRunZonesSmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	l := synth.Large{Namespaces: 8, PodsPerNamespace: 5, Nodes: 6, ANPs: 4, RulesPerANP: 6, NetworkPolicies: 12,
		BANPRules: 4, Seed: 1}
	rep, err := RunZones(ctx, ZoneOptions{Zones: 3, Synth: l, Moves: 4, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Zones) != 3 || rep.Moves.Count != 4 {
		t.Fatalf("%d zones, %d moves; want 3 and 4", len(rep.Zones), rep.Moves.Count)
	}
	members, ports := 0, 0
	for _, z := range rep.Zones {
		if !z.Matches || z.FullSyncOps == 0 || z.MoveOps == 0 || z.PeakRSSMB == 0 || z.Nodes != 2 {
			t.Errorf("zone %s: %+v", z.Name, z)
		}
		members += z.Rows.PortGroupPorts
		ports += z.Ports
	}
	if members != rep.CentralPortGroupPorts || ports != rep.Size.Pods {
		t.Errorf("zones hold %d members of %d ports; the central translation %d members of %d pods", members, ports,
			rep.CentralPortGroupPorts, rep.Size.Pods)
	}
}
