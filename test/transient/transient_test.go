package transient

import (
	"context"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/testbed"
)

const (
	// flips is how often each change is made (back and forth) while the probes run.
	flips = 150
	// Team red tries a connection every redInterval, team green every greenInterval; an attempt waits
	// probeTimeout for the reply. A dropped SYN is sent again only after a second, so an attempt's
	// verdict is that of the moment it started.
	redInterval   = time.Millisecond
	greenInterval = 10 * time.Millisecond
	probeTimeout  = 300 * time.Millisecond
)

// change is one kind of policy change: the datapath goes from one translation to the other and back,
// flips times. split writes each flip as two transactions, through the cluster without denyRed.
type change struct {
	name     string
	from, to denyRed
	split    bool
}

var base = denyRed{name: "deny-red", priority: 10}

func with(f func(*denyRed)) denyRed { d := base; f(&d); return d }

var changes = []change{
	// The positive control first: a rename written as a delete and then a create must leak.
	{name: "control: rename in two transactions", from: base, to: with(func(d *denyRed) { d.name = "deny-red-renamed" }),
		split: true},
	{name: "inserted rule", from: base, to: with(func(d *denyRed) { d.inserted = true })},
	{name: "priority band shift", from: base, to: with(func(d *denyRed) { d.priority = 11 })},
	{name: "rename", from: base, to: with(func(d *denyRed) { d.name = "deny-red-renamed" })},
	{name: "selector move", from: base, to: with(func(d *denyRed) { d.podSelectors = true })},
}

// TestNoTransientWindow probes, with real packets, each kind of policy change while it is made flips
// times: written in one NB transaction, team red (denied before and after) must never get through and
// team green (allowed before and after) must keep getting through; written in two, team red must get
// through at least once, or the probe could not have seen a window at all.
func TestNoTransientWindow(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b, nb := startBed(t, ctx)
	red := endpoint(t, b, redClient)
	green := endpoint(t, b, greenClient)
	server := endpoint(t, b, blueServer)
	target := probe.Target{Protocol: probe.TCP, Addr: netip.AddrPortFrom(server.Port.IPs[0], serverPort)}

	var total, oneTxnAttempts, oneTxnLeaks int
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			states := [2]*nbrows.State{translation(snapshot(c.from)), translation(snapshot(c.to))}
			gap := translation(snapshot())
			write(t, ctx, b, nb, states[0])
			settle(t, ctx, red, green, server.Key, target)

			reds := &prober{from: red, dst: blueServer, target: target, allow: false, interval: redInterval,
				timeout: probeTimeout}
			greens := &prober{from: green, dst: blueServer, target: target, allow: true, interval: greenInterval,
				timeout: probeTimeout}
			pctx, stop := context.WithCancel(ctx)
			done := make(chan struct{}, 2)
			for _, p := range []*prober{reds, greens} {
				go func() { p.run(pctx); done <- struct{}{} }()
			}
			time.Sleep(100 * time.Millisecond) // some attempts before the first change
			began := time.Now()
			var txns int
			for i := range flips {
				want := states[(i+1)%2]
				if c.split {
					commit(t, ctx, nb, gap)
					txns++
				}
				commit(t, ctx, nb, want)
				txns++
				if err := b.WaitHV(ctx); err != nil {
					t.Fatal(err)
				}
			}
			took := time.Since(began)
			time.Sleep(100 * time.Millisecond)
			stop()
			<-done
			<-done

			r, g := reds.result(), greens.result()
			total += r.attempts + g.attempts
			t.Logf("%d flips in %d NB transactions over %v; team red: %d leaks in %d attempts; team green: %d "+
				"refused in %d attempts", flips, txns, took.Round(time.Millisecond), len(r.wrong), r.attempts,
				len(g.wrong), g.attempts)
			if len(r.wrong) > 0 {
				t.Logf("leak windows (start+length (attempts)): %s", strings.Join(windows(r.wrong, 20*time.Millisecond), ", "))
			}
			for _, res := range []result{r, g} {
				if len(res.errs) > 0 {
					first := res.errs[:min(3, len(res.errs))]
					t.Errorf("%d attempts could not be judged, first: %s", len(res.errs), strings.Join(first, "; "))
				}
			}
			// The probe must have been running all along: far fewer attempts than ticks means it starved.
			if least := int(took / redInterval / 4); r.attempts < least {
				t.Errorf("team red made only %d attempts in %v (at least %d expected)", r.attempts, took, least)
			}
			if c.split {
				if len(r.wrong) == 0 {
					t.Errorf("the change split over two transactions never leaked in %d attempts: the probe "+
						"cannot see a window, so the other cases prove nothing", r.attempts)
				}
				return
			}
			oneTxnAttempts += r.attempts
			oneTxnLeaks += len(r.wrong)
			if len(r.wrong) > 0 {
				t.Errorf("team red got through %d times while the change was written in one transaction each", len(r.wrong))
			}
			// Green's connections are not the point, but a datapath that stopped forwarding would also stop
			// every leak: most of them must get through.
			if len(g.wrong)*10 > g.attempts {
				t.Errorf("team green was refused in %d of %d attempts", len(g.wrong), g.attempts)
			}
		})
	}
	t.Logf("one-transaction changes: %d leaks in %d attempts of team red; %d attempts in all", oneTxnLeaks,
		oneTxnAttempts, total)
}

// startBed starts a bed with the datapath, the three pods' namespaces and a server on the blue pod, and
// connects an nbsync client. A part that cannot start fails the test, never skips it.
func startBed(t *testing.T, ctx context.Context) (*ovnsandbox.Bed, client.Client) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("the transient test needs root (network namespaces, ovs-vswitchd)")
	}
	began := time.Now()
	parts, err := testbed.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ovnsandbox.Start(ctx, ovnsandbox.Options{OVN: parts.OVN, ProbeBinary: parts.ProbeBinary})
	if err != nil {
		t.Fatalf("starting the OVN test bed: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			b.KeepRunDir()
			t.Logf("run folder %s kept; daemon logs:\n%s", b.Dir, b.Logs(15))
		}
		if err := b.Stop(); err != nil {
			t.Errorf("stopping the bed: %v", err)
		}
	})
	snap := snapshot()
	if _, err := b.ApplyTopology(ctx, snap); err != nil {
		t.Fatal(err)
	}
	if err := b.StartDatapath(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range snap.Pods {
		if _, err := b.AddPodNamespace(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Serve(ctx, b.Netns(blueServer), probe.Listen{Protocol: probe.TCP, Port: serverPort}); err != nil {
		t.Fatal(err)
	}
	nb, err := nbsync.Connect(ctx, b.NBSocket(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nb.Close)
	t.Logf("bed with datapath and 3 pods up in %v (%s)", time.Since(began).Round(time.Millisecond), b.Dir)
	return b, nb
}

func endpoint(t *testing.T, b *ovnsandbox.Bed, key string) *ovnsandbox.Netns {
	t.Helper()
	n := b.Netns(key)
	if n == nil {
		t.Fatalf("no namespace for %s", key)
	}
	return n
}

func translation(s *cluster.Snapshot) *nbrows.State {
	res := translate.Translate(s, translate.Options{})
	return &res.State
}

// commit writes want in one transaction, as the controller does; a flip that writes nothing would
// prove nothing.
func commit(t *testing.T, ctx context.Context, nb client.Client, want *nbrows.State) {
	t.Helper()
	stats, err := nbsync.Sync(ctx, nb, want)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Ops == 0 {
		t.Fatal("the change wrote nothing to NB")
	}
}

// write brings NB to want (possibly already there) and waits until the datapath has it.
func write(t *testing.T, ctx context.Context, b *ovnsandbox.Bed, nb client.Client, want *nbrows.State) {
	t.Helper()
	if _, err := nbsync.Sync(ctx, nb, want); err != nil {
		t.Fatal(err)
	}
	if err := b.WaitHV(ctx); err != nil {
		t.Fatal(err)
	}
}

// settle checks, before the probing, that team red is denied and team green allowed, so that the
// counts mean what they say.
func settle(t *testing.T, ctx context.Context, red, green *ovnsandbox.Netns, dst string, target probe.Target) {
	t.Helper()
	for _, c := range []struct {
		from  *ovnsandbox.Netns
		allow bool
	}{{red, false}, {green, true}} {
		deadline := time.Now().Add(10 * time.Second)
		for ok := 0; ok < 5; {
			r, err := ovnsandbox.DialIn(c.from, target, probeTimeout)
			if err != nil {
				t.Fatal(err)
			}
			if (r.Outcome == probe.Connected) == c.allow {
				ok++
			} else {
				ok = 0
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s -> %s does not settle on allowed=%v: %s %s", c.from.Key, dst, c.allow, r.Outcome, r.Error)
			}
			if ctx.Err() != nil {
				t.Fatal(ctx.Err())
			}
		}
	}
}
