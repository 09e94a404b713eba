package main

import (
	"context"
	"strings"
	"testing"
)

// Zone mode counts a zone while its Lease is renewed, so it refuses to run without leader election.
func TestZoneNeedsLeaderElection(t *testing.T) {
	o := defaultOptions()
	o.zone, o.leaderElect = "az1", false
	err := run(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "--zone needs --leader-elect") {
		t.Fatalf("run with --zone and --leader-elect=false: %v, want a refusal", err)
	}
}

func TestLeaseNames(t *testing.T) {
	zone, fold := zoneLease("tieracl-controller", "status"), foldLease("tieracl-controller")
	if zone == fold || !strings.HasPrefix(zone, "tieracl-controller-") || strings.HasPrefix(fold, "tieracl-controller-") {
		t.Errorf("zone Lease %q, fold Lease %q: the fold Lease must not look like a zone's", zone, fold)
	}
}
