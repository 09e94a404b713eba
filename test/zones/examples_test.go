package zones

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/examples"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/test/testbed"
)

// bedOptions are the OVN installation and probe binary the tests run, from test/testbed (fetch.sh's root
// and a tieracl-probe built once).
func bedOptions(t *testing.T, ctx context.Context) ovnsandbox.Options {
	t.Helper()
	parts, err := testbed.Get(ctx)
	if err != nil {
		t.Fatalf("test parts: %v", err)
	}
	return ovnsandbox.Options{OVN: parts.OVN, ProbeBinary: parts.ProbeBinary}
}

// TestExamplesAcrossZones runs every example's policy tests with the nodes spread over two zones, each
// zone's NB holding the rows a zone-mode controller writes: every probe gets its expected verdict from
// real packets, and some probes of every example that has pods on two nodes cross the zones. SCTP
// probes on a kernel without SCTP are not judged: listed and counted apart, never passed.
func TestExamplesAcrossZones(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the two-zone bed needs root (network namespaces, ovs-vswitchd)")
	}
	files, err := examples.TestFiles("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	opts := bedOptions(t, context.Background())
	var probes, passed, cross, sctp int
	start := time.Now()
	for _, path := range files {
		short := strings.TrimPrefix(path, "../../")
		t.Run(short, func(t *testing.T) {
			suite, err := policytest.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			began := time.Now()
			ev, err := NewEvaluator(ctx, suite.Snapshot, opts)
			if err != nil {
				t.Fatalf("NewEvaluator: %v", err)
			}
			closeOnCleanup(t, ev)
			setup := time.Since(began)
			results := policytest.Run(ev, suite)
			crossed := 0
			for _, r := range results {
				probes++
				if ev.CrossZone(r.Flow) {
					crossed++
				}
				switch {
				case r.Pass:
					passed++
				case r.Probe.Protocol == "SCTP" && r.NotJudged():
					sctp++
					t.Logf("probes[%d] not judged: %v", r.Index, r.Err)
				default:
					t.Errorf("probes[%d] %s -> %s %s/%s: expected %s, got %s: %v", r.Index, r.Probe.From, r.Probe.To,
						r.Probe.Protocol, r.Probe.Port.String(), r.Probe.Expect, r.Got(), r.Err)
				}
			}
			cross += crossed
			t.Logf("%d probes, %d across zones, in %v (bed %v); rows per zone: %s", len(results), crossed,
				time.Since(began).Round(time.Millisecond), setup.Round(time.Millisecond), writtenSummary(ev))
		})
	}
	t.Logf("%d files, %d probes (%d passed, %d across zones, %d SCTP not judged) in %v", len(files), probes,
		passed, cross, sctp, time.Since(start).Round(time.Second))
	if cross == 0 {
		t.Error("no probe crossed the zones")
	}
}

// closeOnCleanup stops the evaluator's bed when the test ends; a failed test keeps the run folders and
// prints the daemons' logs.
func closeOnCleanup(t *testing.T, ev *Evaluator) {
	t.Cleanup(func() {
		if t.Failed() {
			ev.Bed().KeepRunDir()
			t.Logf("daemon logs:\n%s", ev.Bed().Logs(15))
		}
		if err := ev.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

func writtenSummary(ev *Evaluator) string {
	var parts []string
	for i, s := range ev.Written {
		parts = append(parts, ev.Bed().Zones[i].Name+": "+strconv.Itoa(s.Created)+" created, "+strconv.Itoa(s.PortsMissing)+
			" members in the other zone")
	}
	return strings.Join(parts, "; ")
}
