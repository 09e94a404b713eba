package e2e_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/e2e"
	"github.com/tieracl/tieracl/test/testbed"
)

// sideBed starts a second OVN control plane (no datapath) with the conformance cluster's ports, for a
// second controller to program; it is stopped when the test ends, its run folder kept if it failed.
func sideBed(t *testing.T, ctx context.Context, env *e2e.Env, opts ovnsandbox.Options) *ovnsandbox.Bed {
	t.Helper()
	began := time.Now()
	root, err := testbed.OVN(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opts.OVN = root
	bed, err := ovnsandbox.Start(ctx, opts)
	if err != nil {
		t.Fatalf("starting the second OVN bed: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			bed.KeepRunDir()
			t.Logf("second bed %s kept; its logs:\n%s", bed.Dir, bed.Logs(20))
		}
		if err := bed.Stop(); err != nil {
			t.Error(err)
		}
	})
	if _, err := bed.ApplyTopology(ctx, env.Cluster); err != nil {
		t.Fatal(err)
	}
	t.Logf("second bed up in %v (%s)", time.Since(began).Round(time.Millisecond), bed.Dir)
	return bed
}

// sideController runs a second tieracl-controller, the same binary with the same ServiceAccount but no
// leader election, against nbAddress with extra flags; it logs into its own folder of the run folder and
// is stopped when the test ends.
func sideController(t *testing.T, env *e2e.Env, name, nbAddress string, flags ...string) *e2e.Controller {
	t.Helper()
	dir := filepath.Join(env.Dir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := e2e.NewController(env.Controller.Binary, dir, env.Controller.Kubeconfig, nbAddress)
	if err != nil {
		t.Fatal(err)
	}
	c.Flags = append([]string{"--leader-elect=false"}, flags...)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s", c.Logs(40))
		}
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// TestClusteredNB runs a controller against a 3-member raft NB, given as the comma-separated list of
// its members, and kills the raft leader in the middle of 60 policy changes: the controller must follow
// the new leader and NB must end up exactly the translation, nothing lost.
func TestClusteredNB(t *testing.T) {
	env := environment(t)
	pols := policies(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := sideBed(t, ctx, env, ovnsandbox.Options{NBServers: 3})
	c := sideController(t, env, "raft", bed.NBSocket())
	if err := c.WaitReadyz(ctx, http.StatusOK, e2e.Leading, readyTimeout); err != nil {
		t.Fatal(err)
	}
	var killed time.Time
	var first int
	unready := make(chan time.Duration, 1)
	readyAgain := make(chan time.Duration, 1)
	at := map[int]func(){30: func() {
		var err error
		if first, err = bed.NBLeader(ctx); err != nil {
			t.Fatal(err)
		}
		if err := bed.KillNBMember(first); err != nil {
			t.Fatal(err)
		}
		killed = time.Now()
		go watchFailover(ctx, c, killed, unready, readyAgain)
	}}
	last := churn(t, ctx, pols, "e2e-raft", 60, 20*time.Millisecond, 3, at)
	took := converged(t, ctx, env, c, bed, last)
	next, err := bed.NBLeader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if next == first {
		t.Fatalf("member %d still leads after it was killed", first+1)
	}
	t.Logf("raft leader (member %d) killed mid-burst; member %d leads; NB equal to the translation %v after "+
		"the last write, %v after the kill", first+1, next+1, took.Round(time.Millisecond),
		time.Since(killed).Round(time.Millisecond))
	select {
	case d := <-unready:
		t.Logf("/readyz 503 %v after the kill", d.Round(time.Millisecond))
		select {
		case d := <-readyAgain:
			t.Logf("/readyz 200 again %v after the kill", d.Round(time.Millisecond))
		default:
		}
	default:
		t.Log("/readyz was never seen 503 after the kill")
	}

	// Every policy deleted: the clustered NB is emptied of tieracl's rows too.
	if err := pols.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	converged(t, ctx, env, c, bed, time.Now())
}

// watchFailover polls /readyz from the kill on and reports when it first said 503 and when 200 again.
func watchFailover(ctx context.Context, c *e2e.Controller, killed time.Time, unready, readyAgain chan<- time.Duration) {
	down := false
	for time.Since(killed) < time.Minute && ctx.Err() == nil {
		code, _, err := c.Readyz(ctx)
		switch {
		case !down && err == nil && code == http.StatusServiceUnavailable:
			down = true
			unready <- time.Since(killed)
		case down && err == nil && code == http.StatusOK:
			readyAgain <- time.Since(killed)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestNBOverTLS runs a controller against an NB that listens on pssl with ovs-pki's certificates: with
// the CA that signed the server's certificate it programs NB; with another CA it must stay not ready and
// log why.
func TestNBOverTLS(t *testing.T) {
	env := environment(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bed := sideBed(t, ctx, env, ovnsandbox.Options{NBTLS: true})
	nbTLS := bed.NBTLS()
	flags := func(ca string) []string {
		return []string{"--nb-client-key=" + nbTLS.ClientKey, "--nb-client-cert=" + nbTLS.ClientCert,
			"--nb-ca-cert=" + ca, "--nb-server-name=" + ovnsandbox.NBServerName}
	}

	t.Run("wrong CA", func(t *testing.T) {
		c := sideController(t, env, "tls-wrong-ca", nbTLS.Address, flags(nbTLS.OtherCACert)...)
		const cause = "certificate signed by unknown authority"
		began := time.Now()
		var logged bool
		for time.Since(began) < 20*time.Second && !logged {
			raw, err := os.ReadFile(c.LogFile())
			if err != nil {
				t.Fatal(err)
			}
			logged = strings.Contains(string(raw), cause)
			time.Sleep(100 * time.Millisecond)
		}
		if !logged {
			t.Errorf("the controller's log does not say %q within 20 s", cause)
		}
		for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
			code, body, err := c.Readyz(ctx)
			if err != nil || code != http.StatusServiceUnavailable {
				t.Fatalf("with the wrong CA /readyz answered %d %q (%v)", code, body, err)
			}
		}
		_, body, _ := c.Readyz(ctx)
		t.Logf("wrong CA: log names %q after %v; /readyz 503: %s", cause, time.Since(began).Round(time.Millisecond), body)
		if rows, err := e2e.OwnedRows(ctx, bed); err != nil || len(rows) > 0 {
			t.Errorf("NB holds tieracl rows (%v) though no controller could connect (%v)", rows, err)
		}
	})

	t.Run("right CA", func(t *testing.T) {
		pols := policies(t, env)
		c := sideController(t, env, "tls", nbTLS.Address, flags(nbTLS.CACert)...)
		if err := c.WaitReadyz(ctx, http.StatusOK, e2e.Leading, readyTimeout); err != nil {
			t.Fatal(err)
		}
		apply(t, ctx, env, pols, anps(t, denyIngress("e2e-tls-a", 10, "slytherin", "gryffindor"),
			denyIngress("e2e-tls-b", 20, "ravenclaw", "hufflepuff")))
		took := converged(t, ctx, env, c, bed, time.Now())
		t.Logf("over SSL: NB equal to the translation (checked over its unix socket) %v after the main controller",
			took.Round(time.Millisecond))
		rows, err := e2e.OwnedRows(ctx, bed)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Error("the controller connected over SSL wrote no rows")
		}
	})
}
