package ovnsandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// TestACLLogRateLimit sends a burst of packets that a logged NetworkPolicy denies and counts the log
// lines ovn-controller writes: on the log meter they stay within the configured rate (plus its burst);
// with a rate far above the burst, the positive control, nearly every packet is logged, so the count
// can tell a working meter from a missing one.
func TestACLLogRateLimit(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db := startDatapathBed(t, ctx)
	c, err := nbsync.Connect(ctx, db.NBSocket(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect()
	const packets = 300
	dst := portOf(t, db.topo, server).IPs[0]
	burst := fmt.Sprintf("for i in $(seq %d); do echo x >/dev/udp/%s/53; done", packets, dst)
	logFile := filepath.Join(db.Dir, "ovn-controller.log")
	for _, tc := range []struct {
		name string
		rate int
	}{{"metered at 10 per second", 10}, {"positive control: 100000 per second", 100000}} {
		snap := twoPodSnapshot()
		snap.Namespaces = []*corev1.Namespace{{ObjectMeta: metav1.ObjectMeta{Name: "beta",
			Annotations: map[string]string{"k8s.ovn.org/acl-logging": `{"deny":"alert"}`}}}}
		snap.NetworkPolicies = []*networkingv1.NetworkPolicy{testobj.NetworkPolicy("beta", "deny-all",
			&metav1.LabelSelector{}, testobj.Isolate(networkingv1.PolicyTypeIngress))}
		st := translate.Translate(snap, translate.Options{ACLLogRate: tc.rate}).State
		if _, err := nbsync.Sync(ctx, c, &st); err != nil {
			t.Fatalf("%s: sync: %v", tc.name, err)
		}
		if err := db.WaitNorthd(ctx); err != nil {
			t.Fatal(err)
		}
		if err := db.WaitHV(ctx); err != nil {
			t.Fatal(err)
		}
		// One packet first, so ARP is resolved before the burst; then let the meter's bucket fill.
		if _, err := db.Exec(ctx, db.Netns(client), "bash", "-c", fmt.Sprintf("echo x >/dev/udp/%s/53", dst)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		before := countLogLines(t, logFile)
		start := time.Now()
		if _, err := db.Exec(ctx, db.Netns(client), "bash", "-c", burst); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		time.Sleep(2 * time.Second) // ovn-controller writes the lines it was sent
		logged := countLogLines(t, logFile) - before
		t.Logf("%s: %d denied packets in %v, %d log lines", tc.name, packets, took.Round(time.Millisecond), logged)
		if tc.rate < packets {
			// The bucket holds the burst (equal to the rate) and refills at the rate while the packets go.
			limit := tc.rate + int(float64(tc.rate)*took.Seconds()) + tc.rate
			if logged < 1 || logged > limit {
				t.Errorf("%s: %d log lines, want 1 to %d", tc.name, logged, limit)
			}
		} else if logged < packets*8/10 {
			t.Errorf("%s: only %d of %d denied packets logged: the burst did not reach the ACL, so the metered "+
				"count proves nothing", tc.name, logged, packets)
		}
	}
}

// countLogLines counts the ACL log lines of the deny-all policy in ovn-controller's log.
func countLogLines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "acl_log") && strings.Contains(line, `name="np:beta/deny-all:in:isolate"`) {
			n++
		}
	}
	return n
}
