package e2e_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/e2e"
)

var houses = []string{"gryffindor", "slytherin", "hufflepuff", "ravenclaw"}

// churn makes n policy changes through the API, one every pace: each creates, changes the spec of, or
// deletes one of a few ANPs, chosen by a random source seeded with seed, so a failure can be replayed.
// Before change i it runs at[i], when there is one. It returns the time of the last API write.
func churn(t *testing.T, ctx context.Context, pols *e2e.Policies, prefix string, n int, pace time.Duration,
	seed uint64, at map[int]func()) time.Time {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	live := map[string]*anpv1alpha1.AdminNetworkPolicy{}
	random := func(name string) *anpv1alpha1.AdminNetworkPolicy {
		subject := rng.IntN(len(houses))
		from := (subject + 1 + rng.IntN(len(houses)-1)) % len(houses)
		return denyIngress(name, int32(10+rng.IntN(30)), houses[subject], houses[from])
	}
	tick := time.NewTicker(pace)
	defer tick.Stop()
	var last time.Time
	counts := map[string]int{}
	for i := range n {
		if hook := at[i]; hook != nil {
			hook()
		}
		name := fmt.Sprintf("%s-%d", prefix, rng.IntN(6))
		switch _, ok := live[name]; {
		case !ok:
			live[name] = random(name)
			counts["create"]++
		case rng.IntN(4) == 0:
			delete(live, name)
			counts["delete"]++
		default:
			live[name] = random(name)
			counts["update"]++
		}
		list := make([]*anpv1alpha1.AdminNetworkPolicy, 0, len(live))
		for _, p := range live {
			list = append(list, p)
		}
		if _, err := pols.Apply(ctx, anps(t, list...)); err != nil {
			t.Fatalf("change %d: %v", i, err)
		}
		last = time.Now()
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-tick.C:
		}
	}
	t.Logf("%d changes (%d creates, %d spec updates, %d deletes), %d ANPs left", n, counts["create"],
		counts["update"], counts["delete"], len(live))
	return last
}

// converged waits until the controller behind readyz is ready as leader and NB (at nbAddress) holds
// exactly the translation of the API's objects, with every policy's status observed and every ANP's
// Programmed condition the one its translation calls for; it checks with ovn-nbctl that NB holds no
// tieracl row beyond the translation, and returns the time since since.
func converged(t *testing.T, ctx context.Context, env *e2e.Env, c *e2e.Controller, bed *ovnsandbox.Bed,
	since time.Time) time.Duration {
	t.Helper()
	if err := c.WaitReadyz(ctx, http.StatusOK, e2e.Leading, readyTimeout); err != nil {
		t.Fatal(err)
	}
	prog, err := e2e.WaitProgrammed(ctx, env.Admin, env.Policy, bed.NBSocket(), programTimeout)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(since)
	if wrong := e2e.WrongStatus(prog.Snapshot, prog.Result); len(wrong) > 0 {
		t.Errorf("status not what the translation says: %s", strings.Join(wrong, "; "))
	}
	rows, err := e2e.OwnedRows(ctx, bed)
	if err != nil {
		t.Fatal(err)
	}
	state := &prog.Result.State
	want := map[string]int{nbdb.ACLTable: len(state.ACLs), nbdb.PortGroupTable: len(state.PortGroups),
		nbdb.AddressSetTable: len(state.AddressSets)}
	for table, n := range want {
		if got := len(rows[table]); got != n {
			t.Errorf("NB holds %d tieracl rows in %s, the translation %d", got, table, n)
		}
	}
	if code, body, err := c.Readyz(ctx); err != nil || code != http.StatusOK {
		t.Errorf("/readyz after converging: %d %q (%v)", code, body, err)
	}
	return took
}
