package nbsync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// A delta moves members with mutations only, and leaves NB equal to the desired state it describes.
func TestApplyDelta(t *testing.T) {
	ctx, c, _ := startNB(t)
	sync(t, ctx, c, state([]string{"ns_a"}, []string{"10.0.0.1", "10.0.0.2"}, 100))

	d := nbrows.NewDelta()
	nbrows.AddTo(d.PortGroups, "pg_x", "ns_b")
	nbrows.AddTo(d.PortGroups, "pg_x", "ns_missing")
	nbrows.RemoveFrom(d.PortGroups, "pg_x", "ns_a")
	nbrows.AddTo(d.AddressSets, "as_x_v4", "10.0.0.3")
	nbrows.RemoveFrom(d.AddressSets, "as_x_v4", "10.0.0.1")
	stats, err := nbsync.ApplyDelta(ctx, c, d)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Ops != 2 || stats.Created+stats.Updated+stats.Deleted != 0 || stats.PortsMissing != 1 {
		t.Errorf("delta: %+v, want one mutation of each row (deletes and inserts together), nothing "+
			"created, updated or deleted, one missing port", stats)
	}
	// NB now holds the desired state: a full sync has nothing left to do but the missing port.
	sync(t, ctx, c, state([]string{"ns_b", "ns_missing"}, []string{"10.0.0.2", "10.0.0.3"}, 100))

	cases := []struct {
		name  string
		delta func(*nbrows.Delta)
	}{
		{"address set", func(d *nbrows.Delta) { nbrows.AddTo(d.AddressSets, "as_nope", "10.0.0.9") }},
		{"port group", func(d *nbrows.Delta) { nbrows.AddTo(d.PortGroups, "pg_nope", "ns_a") }},
	}
	for _, tc := range cases {
		t.Run("missing "+tc.name, func(t *testing.T) {
			d := nbrows.NewDelta()
			tc.delta(d)
			if _, err := nbsync.ApplyDelta(ctx, c, d); !errors.Is(err, nbsync.ErrRowMissing) {
				t.Errorf("delta on a missing row: err = %v, want ErrRowMissing", err)
			}
		})
	}
	if stats, err := nbsync.ApplyDelta(ctx, c, nbrows.NewDelta()); err != nil || stats.Ops != 0 {
		t.Errorf("empty delta: %+v %v, want nothing sent", stats, err)
	}
}

// TestOpsRefusesInvalidState: a state with two ACLs of one name would never match NB; nothing is written.
func TestOpsRefusesInvalidState(t *testing.T) {
	s := state([]string{"ns_a"}, nil, 100)
	s.ACLs[1].Name = s.ACLs[0].Name
	_, _, err := nbsync.Ops(context.Background(), nil, s)
	if err == nil || !strings.Contains(err.Error(), "two ACLs are named") {
		t.Errorf("Ops on a state with duplicate ACL names: %v, want a refusal", err)
	}
}
