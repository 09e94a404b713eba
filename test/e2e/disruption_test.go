package e2e_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tieracl/tieracl/test/e2e"
)

// disruption is something that keeps the controller from writing NB for a while.
type disruption struct {
	name string
	// begin starts it; end ends it (run also by the cleanup when the test failed in between).
	begin, end func(t *testing.T, ctx context.Context, env *e2e.Env)
	// down checks the controller's health while it lasts, after the policies changed.
	down func(t *testing.T, ctx context.Context, env *e2e.Env)
}

// survive programs two ANPs, begins the disruption, changes the policies while it lasts (a spec update,
// a delete, a create), and ends it: once the controller reports ready as leader, NB's tieracl rows must
// be exactly the translation of the API's objects, nothing left of before, and the packets obey the
// change; then the status catches up too.
func survive(t *testing.T, d disruption) {
	env := environment(t)
	pols := policies(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	changed := denyIngress("e2e-"+d.name+"-changed", 10, "slytherin", "gryffindor")
	gone := denyIngress("e2e-"+d.name+"-gone", 20, "ravenclaw", "hufflepuff")
	prog, _ := apply(t, ctx, env, pols, anps(t, changed, gone))
	expect(t, env, prog, tcp80(harry0, draco0, "Deny"), tcp80(luna0, draco0, "Allow"), tcp80(cedric0, luna0, "Deny"),
		tcp80(draco0, cedric0, "Allow"))

	d.begin(t, ctx, env)
	ended := false
	t.Cleanup(func() {
		if !ended {
			d.end(t, context.Background(), env)
		}
	})
	changed = denyIngress(changed.Name, 10, "slytherin", "ravenclaw")
	added := denyIngress("e2e-"+d.name+"-added", 30, "hufflepuff", "slytherin")
	writes, err := pols.Apply(ctx, anps(t, changed, added))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("while %s: %v", d.name, writes)
	// The test means something only if NB is stale now (when NB can be read at all).
	switch ops, err := e2e.StaleOps(ctx, env.Bed.NBSocket(), &translateOf(readSnapshot(t, ctx, env)).State); {
	case err != nil:
		t.Logf("NB cannot be read: %v", err)
	case len(ops) == 0:
		t.Fatalf("NB already holds the changed policies while %s", d.name)
	default:
		t.Logf("NB lags the API by %s", e2e.DescribeOps(ops))
	}
	d.down(t, ctx, env)

	began := time.Now()
	d.end(t, ctx, env)
	ended = true
	if err := env.Controller.WaitReadyz(ctx, http.StatusOK, e2e.Leading, readyTimeout); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s over: /readyz 200 leading after %v", d.name, time.Since(began).Round(time.Millisecond))
	now := nbMatchesAPI(t, ctx, env)
	expect(t, env, now, tcp80(harry0, draco0, "Allow"), tcp80(luna0, draco0, "Deny"), tcp80(cedric0, luna0, "Allow"),
		tcp80(draco0, cedric0, "Deny"))
	waitProgrammed(t, ctx, env)
}

// TestControllerKilled kills the controller with SIGKILL, as a crash would, and starts it again after
// the policies changed.
func TestControllerKilled(t *testing.T) {
	survive(t, disruption{name: "restart",
		begin: func(t *testing.T, ctx context.Context, env *e2e.Env) {
			if err := env.Controller.Kill(); err != nil {
				t.Fatal(err)
			}
			done, err := env.Controller.Exited()
			if !done {
				t.Fatal("the controller still runs after SIGKILL")
			}
			t.Logf("controller killed: %v", err)
		},
		down: func(t *testing.T, ctx context.Context, env *e2e.Env) {
			if _, _, err := env.Controller.Readyz(ctx); err == nil {
				t.Error("/readyz answers with the controller killed")
			}
		},
		end: func(t *testing.T, ctx context.Context, env *e2e.Env) {
			if err := env.Controller.Start(); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// TestNBOutage stops the NB ovsdb-server under the running controller: /readyz must answer 503 while NB
// is away, also after the policies changed, and 200 once it is back.
func TestNBOutage(t *testing.T) {
	survive(t, disruption{name: "outage",
		begin: func(t *testing.T, ctx context.Context, env *e2e.Env) {
			began := time.Now()
			if err := env.Bed.StopNB(); err != nil {
				t.Fatal(err)
			}
			if err := env.Controller.WaitReadyz(ctx, http.StatusServiceUnavailable, "", 30*time.Second); err != nil {
				t.Fatal(err)
			}
			_, body, _ := env.Controller.Readyz(ctx)
			t.Logf("NB stopped: /readyz 503 after %v: %s", time.Since(began).Round(time.Millisecond), body)
		},
		down: func(t *testing.T, ctx context.Context, env *e2e.Env) {
			// The controller cannot write the change: it must stay unready while NB is away.
			for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
				if code, body, err := env.Controller.Readyz(ctx); err != nil || code != http.StatusServiceUnavailable {
					t.Fatalf("NB is down, but /readyz answered %d %q (%v)", code, body, err)
				}
			}
		},
		end: func(t *testing.T, ctx context.Context, env *e2e.Env) {
			if err := env.Bed.StartNB(ctx); err != nil {
				t.Fatal(err)
			}
		},
	})
}
