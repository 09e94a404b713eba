package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/test/e2e"
)

// TestFaultKillsDuringChanges kills the controller with SIGKILL 10 times during 200 policy changes,
// starting it again at once each time, as a crash-looping pod would be: afterwards NB must be exactly
// the translation of the API's objects, nothing stale, every status observed, /readyz leading.
func TestFaultKillsDuringChanges(t *testing.T) {
	env := environment(t)
	pols := policies(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	at := map[int]func(){}
	kills := 0
	for i := 10; i < 200; i += 20 {
		at[i] = func() {
			if err := env.Controller.Kill(); err != nil {
				t.Fatal(err)
			}
			kills++
			if err := env.Controller.Start(); err != nil {
				t.Fatal(err)
			}
		}
	}
	last := churn(t, ctx, pols, "e2e-kills", 200, 20*time.Millisecond, 1, at)
	took := converged(t, ctx, env, env.Controller, env.Bed, last)
	t.Logf("%d SIGKILLs during the changes; NB equal to the translation %v after the last write",
		kills, took.Round(time.Millisecond))
}

// TestFaultNBStoppedMidBurst stops the NB ovsdb-server in the middle of 60 policy changes and starts it
// again 20 changes later: /readyz must say 503 while NB is away, and afterwards NB must be exactly the
// translation.
func TestFaultNBStoppedMidBurst(t *testing.T) {
	env := environment(t)
	pols := policies(t, env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stopped, started time.Time
	at := map[int]func(){
		20: func() {
			if err := env.Bed.StopNB(); err != nil {
				t.Fatal(err)
			}
			stopped = time.Now()
		},
		30: func() {
			if code, body, err := env.Controller.Readyz(ctx); err != nil || code != http.StatusServiceUnavailable {
				t.Errorf("NB is down, but /readyz answered %d %q (%v)", code, body, err)
			}
		},
		40: func() {
			if err := env.Bed.StartNB(ctx); err != nil {
				t.Fatal(err)
			}
			started = time.Now()
		},
	}
	t.Cleanup(func() {
		if !stopped.IsZero() && started.IsZero() {
			_ = env.Bed.StartNB(context.Background())
		}
	})
	last := churn(t, ctx, pols, "e2e-nbstop", 60, 20*time.Millisecond, 2, at)
	took := converged(t, ctx, env, env.Controller, env.Bed, last)
	t.Logf("NB down for %v in the burst; NB equal to the translation %v after the last write (%v after NB "+
		"came back)", started.Sub(stopped).Round(time.Millisecond), took.Round(time.Millisecond),
		time.Since(started).Round(time.Millisecond))
}

// apiTarget is how soon a change written after an API server outage must be programmed.
const apiTarget = 5 * time.Second

// TestFaultAPIServerDown kills the API server and starts it again after 5 s and after 30 s (it takes
// some seconds more to answer), and then changes the policies: /readyz must say 503 while the
// controller's watches are down, and the change must be programmed within 5 s. The controller is
// started again whenever it exits, as a pod would be. With the default Lease a leader that cannot
// renew it for 10 s steps down and exits, which the 30 s outage must show; the 5 s outage runs with a
// longer Lease, so that the leader keeps it throughout and its own caches must catch up.
func TestFaultAPIServerDown(t *testing.T) {
	env := environment(t)
	for _, tc := range []struct {
		down      time.Duration
		flags     []string
		stepsDown bool
	}{
		{5 * time.Second, []string{"--leader-election-lease-duration=60s", "--leader-election-renew-deadline=40s"}, false},
		{30 * time.Second, nil, true},
	} {
		down := tc.down
		t.Run(down.String(), func(t *testing.T) {
			restartWith(t, env, tc.flags)
			pols := policies(t, env)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			prefix := "e2e-api-" + strings.TrimSuffix(down.String(), "s")
			before := denyIngress(prefix+"-changed", 10, "slytherin", "gryffindor")
			apply(t, ctx, env, pols, anps(t, before, denyIngress(prefix+"-gone", 20, "ravenclaw", "hufflepuff")))

			stop := env.Controller.Supervise(t.Logf)
			stopped := false
			defer func() {
				if !stopped {
					stop()
				}
			}()
			if err := env.Kube.StopAPIServer(); err != nil {
				t.Fatal(err)
			}
			killed := time.Now()
			restarted := false
			t.Cleanup(func() {
				if !restarted {
					_ = env.Kube.StartAPIServer(context.Background())
				}
			})
			// While the watches are down the caches may be stale, and /readyz must say so, to the end.
			var notReady, last string
			for time.Since(killed) < down {
				code, body, err := env.Controller.Readyz(ctx)
				last = fmt.Sprintf("%d %s", code, body)
				if err != nil {
					last = err.Error()
				}
				if err == nil && code == http.StatusServiceUnavailable && notReady == "" {
					notReady = body
					t.Logf("/readyz %d after %v: %s", code, time.Since(killed).Round(time.Millisecond), body)
				}
				time.Sleep(100 * time.Millisecond)
			}
			// A leader's caches are stale by then; a replica that stepped down and came back as a standby
			// cannot read the Lease, so it cannot know that another replica holds it.
			if strings.HasPrefix(last, "200 ") {
				t.Errorf("/readyz still answers %q after %v without the API server", last, down)
			}
			if err := env.Kube.StartAPIServer(ctx); err != nil {
				t.Fatal(err)
			}
			restarted = true
			back := time.Now()
			t.Logf("API server killed, started again after %v, ready after %v", down,
				back.Sub(killed).Round(time.Millisecond))
			if notReady == "" {
				t.Errorf("/readyz never said 503 in the %v the API server was down", down)
			}

			after := denyIngress(before.Name, 10, "slytherin", "ravenclaw")
			written := time.Now()
			added := denyIngress(prefix+"-added", 30, "hufflepuff", "slytherin")
			if _, err := pols.Apply(ctx, anps(t, after, added)); err != nil {
				t.Fatal(err)
			}
			prog, err := e2e.WaitProgrammed(ctx, env.Admin, env.Policy, env.Bed.NBSocket(), programTimeout)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(written)
			t.Logf("the change written %v after the API returned was programmed %v later",
				written.Sub(back).Round(time.Millisecond), took.Round(time.Millisecond))
			if took > apiTarget {
				t.Errorf("programmed %v after the write, more than the %v target", took.Round(time.Millisecond), apiTarget)
			}
			if err := env.Controller.WaitReadyz(ctx, http.StatusOK, e2e.Leading, readyTimeout); err != nil {
				t.Fatal(err)
			}
			forgiveForbidden(t, env, killed, back.Add(10*time.Second))
			stopped = true
			switch restarts := stop(); {
			case tc.stepsDown && restarts == 0:
				t.Errorf("the leader did not step down in a %v API outage", down)
			case !tc.stepsDown && restarts > 0:
				t.Errorf("the controller exited %d times in a %v API outage, with a Lease longer than that", restarts, down)
			default:
				t.Logf("the controller exited and was started again %d times", restarts)
			}
			expect(t, env, prog, tcp80(harry0, draco0, "Allow"), tcp80(luna0, draco0, "Deny"), tcp80(cedric0, luna0, "Allow"),
				tcp80(draco0, cedric0, "Deny"))
		})
	}
}

// forgiveForbidden accepts the controller's 403 lines logged between from and to, while the API server
// was down or had just started: a kube-apiserver answers /readyz before its RBAC authorizer has loaded
// the ClusterRoles, and refuses requests meanwhile ("clusterrole ... not found"). dist/rbac.yaml is not
// at fault then; every other 403 still fails the test (environment's cleanup).
func forgiveForbidden(t *testing.T, env *e2e.Env, from, to time.Time) {
	t.Helper()
	forgiven := 0
	for _, line := range env.Controller.Forbidden() {
		if forbiddenSeen[line] {
			continue
		}
		_, entry, _ := strings.Cut(line, ": ")
		fields := strings.Fields(entry)
		if len(fields) < 2 {
			continue
		}
		at, err := time.ParseInLocation("15:04:05.000000", fields[1], time.Local)
		if err != nil {
			continue
		}
		y, m, d := from.Date()
		at = time.Date(y, m, d, at.Hour(), at.Minute(), at.Second(), at.Nanosecond(), time.Local)
		if !at.Before(from) && !at.After(to) {
			forbiddenSeen[line] = true
			forgiven++
		}
	}
	if forgiven > 0 {
		t.Logf("%d requests refused (403) while the API server was down or starting, before its RBAC caches "+
			"loaded; not counted against dist/rbac.yaml", forgiven)
	}
}

// restartWith starts the controller again with extra flags (none: the usual ones), and again with the
// usual ones when the test ends.
func restartWith(t *testing.T, env *e2e.Env, flags []string) {
	t.Helper()
	restart := func(flags []string) error {
		if err := env.Controller.Kill(); err != nil {
			return err
		}
		env.Controller.Flags = flags
		if err := env.Controller.Start(); err != nil {
			return err
		}
		return env.Controller.WaitReadyz(context.Background(), http.StatusOK, e2e.Leading, readyTimeout)
	}
	if len(flags) == 0 {
		return
	}
	if err := restart(flags); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := restart(nil); err != nil {
			t.Error(err)
		}
	})
}
