package nbsync_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// loggedState is state() with its first ACL logged on a fair meter of rate pps, or no logging when
// rate is 0.
func loggedState(rate int) *nbrows.State {
	s := state([]string{"ns_a"}, []string{"10.0.0.1"}, 100)
	if rate > 0 {
		s.ACLs[0].Log, s.ACLs[0].Severity, s.ACLs[0].Meter = true, "alert", "tieracl_acl_logging"
		s.Meters = []nbrows.Meter{{Name: "tieracl_acl_logging", Unit: nbrows.MeterUnitPktps, Fair: true, Rate: rate,
			Burst: rate, ExternalIDs: ids("tieracl_acl_logging")}}
	}
	return s
}

// TestSyncMeter: the log meter is created, its band replaced when the rate changes, and deleted when
// nothing logs, each in the transaction that changes the ACLs, with a foreign meter and band untouched.
func TestSyncMeter(t *testing.T) {
	ctx, c, bed := startNB(t)
	nbctl := func(args ...string) string {
		t.Helper()
		out, err := bed.NBCtl(ctx, args...)
		if err != nil {
			t.Fatalf("ovn-nbctl %v: %v", args, err)
		}
		return strings.TrimSpace(out)
	}
	nbctl("meter-add", "foreign_meter", "drop", "7", "pktps")
	steps := []struct {
		name            string
		rate            int
		created, update int
		wantMeter       string // our meter's unit, fair and band rate/burst, "" for none
		wantACLMeter    string
	}{
		{"logging on", 20, 5, 0, "pktps true 20 20", "tieracl_acl_logging"},
		{"rate changed", 5, 0, 1, "pktps true 5 5", "tieracl_acl_logging"},
		{"logging off", 0, 0, 1, "", ""},
	}
	for _, st := range steps {
		stats := sync(t, ctx, c, loggedState(st.rate))
		if stats.Created != st.created || stats.Updated < st.update {
			t.Errorf("%s: %+v, want %d rows created and at least %d updated", st.name, stats, st.created, st.update)
		}
		got := ""
		if uuid := nbctl("--bare", "--columns=_uuid", "find", "Meter", "name=tieracl_acl_logging"); uuid != "" {
			band := nbctl("--bare", "--columns=bands", "list", "Meter", uuid)
			got = strings.Join([]string{nbctl("--bare", "--columns=unit", "list", "Meter", uuid),
				nbctl("--bare", "--columns=fair", "list", "Meter", uuid),
				nbctl("--bare", "--columns=rate", "list", "Meter_Band", band),
				nbctl("--bare", "--columns=burst_size", "list", "Meter_Band", band)}, " ")
		}
		if got != st.wantMeter {
			t.Errorf("%s: meter = %q, want %q", st.name, got, st.wantMeter)
		}
		if m := nbctl("--bare", "--columns=meter", "find", "ACL", "name=anp\\:x\\:in\\:0"); m != st.wantACLMeter {
			t.Errorf("%s: logged ACL's meter = %q, want %q", st.name, m, st.wantACLMeter)
		}
		if m := nbctl("--bare", "--columns=meter", "find", "ACL", "name=anp\\:x\\:eg\\:0"); m != "" {
			t.Errorf("%s: an ACL that does not log has meter %q", st.name, m)
		}
		// One band per meter: a replaced band is collected, the foreign meter's stays.
		bands := len(strings.Fields(nbctl("--bare", "--columns=_uuid", "list", "Meter_Band")))
		if want := 1 + map[bool]int{true: 1}[st.wantMeter != ""]; bands != want {
			t.Errorf("%s: %d Meter_Band rows, want %d", st.name, bands, want)
		}
		if f := nbctl("--bare", "--columns=name", "list", "Meter"); !strings.Contains(f, "foreign_meter") {
			t.Errorf("%s: meters = %q: the foreign meter must survive", st.name, f)
		}
	}
}

// TestSyncMeterNameTaken: a meter of tieracl's name that tieracl does not own is a clear error, and NB
// is left as it was.
func TestSyncMeterNameTaken(t *testing.T) {
	ctx, c, bed := startNB(t)
	if _, err := bed.NBCtl(ctx, "meter-add", "tieracl_acl_logging", "drop", "7", "pktps"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var meters []*nbdb.Meter
		if err := c.List(ctx, &meters); err == nil && len(meters) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the client's cache never shows the foreign meter")
		}
	}
	_, err := nbsync.Sync(ctx, c, loggedState(20))
	if err == nil || !strings.Contains(err.Error(), "does not own") {
		t.Fatalf("sync with the meter's name taken: %v, want a clear error", err)
	}
	if out, _ := bed.NBCtl(ctx, "--bare", "--columns=name", "list", "ACL"); strings.TrimSpace(out) != "" {
		t.Errorf("ACLs written despite the error: %q", out)
	}
}
