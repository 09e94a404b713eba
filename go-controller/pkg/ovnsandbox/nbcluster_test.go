package ovnsandbox

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	libovsdb "github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// A clustered NB of three members: a leader-only client writes through the leader; when the leader is
// killed the others elect a new one, the client follows it, and nothing written is lost; the killed
// member rejoins.
func TestNBCluster(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b := startBedWith(t, ctx, Options{NBServers: 3})
	if got := strings.Count(b.NBSocket(), "unix:"); got != 3 {
		t.Fatalf("NBSocket %q lists %d members, want 3", b.NBSocket(), got)
	}
	if err := b.StopNB(); err == nil || !strings.Contains(err.Error(), "cluster of 3") {
		t.Errorf("StopNB on a clustered NB: %v, want an error naming the cluster", err)
	}
	leader, err := b.NBLeader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval, bo.MaxElapsedTime = 50*time.Millisecond, 500*time.Millisecond, 0
	nb, err := nbsync.Connect(ctx, b.NBSocket(), nil, libovsdb.WithReconnect(2*time.Second, bo))
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	addSwitch := func(name string) {
		t.Helper()
		ops, err := nb.Create(&nbdb.LogicalSwitch{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nb.Transact(ctx, ops...); err != nil {
			t.Fatalf("writing %s: %v", name, err)
		}
	}
	addSwitch("before")
	if err := b.KillNBMember(leader); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	var next int
	if err := waitFor(ctx, 30*time.Second, func() (bool, error) {
		next, err = b.NBLeader(ctx)
		return err == nil && next != leader, nil
	}); err != nil {
		t.Fatalf("no new leader after member %d was killed: %v", leader+1, err)
	}
	t.Logf("member %d killed; member %d leads after %v", leader+1, next+1, time.Since(killed).Round(time.Millisecond))
	// ovn-nbctl reads any member: both switches must be there, through the new leader.
	if err := waitFor(ctx, 30*time.Second, func() (bool, error) {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		ops, err := nb.Create(&nbdb.LogicalSwitch{Name: "after"})
		if err != nil {
			return false, err
		}
		_, err = nb.Transact(cctx, ops...)
		return err == nil, nil
	}); err != nil {
		t.Fatalf("the client does not write through the new leader: %v", err)
	}
	t.Logf("the client writes again %v after the kill", time.Since(killed).Round(time.Millisecond))
	out, err := b.NBCtl(ctx, "ls-list")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"(before)", "(after)"} {
		if !strings.Contains(out, name) {
			t.Errorf("switch %s missing after the failover: %q", name, out)
		}
	}
	if err := b.StartNBMember(ctx, leader); err != nil {
		t.Fatal(err)
	}
	if _, err := b.run(ctx, "ovsdb-client", "--timeout=30", "wait", b.NBMemberSocket(leader), nbDatabase,
		"connected"); err != nil {
		t.Fatalf("the killed member does not rejoin: %v", err)
	}
	if err := b.WaitNorthd(ctx); err != nil {
		t.Fatal(err)
	}
}
