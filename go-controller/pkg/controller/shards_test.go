package controller_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// With a shard bound of one address, the set of every pod is in shards: pods leaving it shrink it out of
// its band to one row, a pod coming back keeps it one row inside that band (where a fresh translation
// would shard it), and a controller restarted on that NB writes nothing.
func TestShardedSetsAcrossGrowthAndRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("all", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel(), testobj.Sel()))))
	db, client, other := e.snap.Pods[1], e.snap.Pods[2], e.snap.Pods[3]
	bound := func(c *controller.Config) { c.SetShardBound = 1 }
	first := e.start(bound)
	steps := []struct {
		what   string
		change func()
		shards int // of the IPv4 set of every pod
	}{
		{"start: 4 pods, 8 shards of 1 (half full)", func() {}, 8},
		{"1 pod: one row", func() { e.del(db, client, other) }, 1},
		{"2 pods: still one row, inside its band (up to twice the bound)", func() { e.put(client) }, 1},
	}
	for _, s := range steps {
		s.change()
		e.eventually(s.what+": NB holds the translation from its shard counts", func() error {
			counts, err := e.shardCounts()
			if err != nil {
				return err
			}
			if err := e.nbHoldsWith(e.snap, translate.Options{SetShardBound: 1, Shards: counts}); err != nil {
				return err
			}
			return e.shardsNamed(s.shards)
		})
	}
	if fresh := translate.Translate(e.snap, translate.Options{SetShardBound: 1}); len(fresh.Shards) == 0 ||
		maxCount(fresh.Shards) == 1 {
		t.Fatalf("a fresh translation shards the set as NB holds it (%v): the restart proves nothing", fresh.Shards)
	}
	first.stop()

	second := e.start(bound)
	e.eventually("the restarted controller is in step", func() error { return e.shardsNamed(1) })
	for kind, n := range ops(second.metrics) {
		if n != 0 {
			t.Errorf("the restarted controller wrote %v %s operations", n, kind)
		}
	}
}

// shardCounts reads the shard counts of the sets NB holds in shards.
func (e *env) shardCounts() (map[string]int, error) {
	sets, err := nbsync.ReadAddressSets(e.ctx, e.check, true)
	if err != nil {
		return nil, err
	}
	return translate.ShardCounts(translate.Rows(sets, func(s *nbdb.AddressSet) (string, map[string]string) {
		return s.Name, s.ExternalIDs
	})), nil
}

func maxCount(m map[string]int) int {
	out := 0
	for _, k := range m {
		out = max(out, k)
	}
	return out
}

// shardsNamed checks that the rule's ACL names k IPv4 shards and NB holds exactly those k rows of the set
// (none for k = 1: the set is one row).
func (e *env) shardsNamed(k int) error {
	rows := k
	if k == 1 {
		rows = 0
	}
	acls, _, sets := e.rows(func(ids map[string]string) bool { return ids[nbrows.KeyManagedBy] == nbrows.ManagedByValue })
	shards := 0
	for _, s := range sets {
		if _, _, n, ok := translate.ShardInfo(s.ExternalIDs); ok && s.ExternalIDs[nbrows.KeyIPFamily] == "ipv4" {
			if n != k {
				return fmt.Errorf("set row %s is a shard of %d, want %d", s.Name, n, k)
			}
			shards++
		}
	}
	if shards != rows {
		return fmt.Errorf("NB holds %d IPv4 shard rows, want %d", shards, rows)
	}
	ref := regexp.MustCompile(`\$tieracl_\w+_v4_s\d+`)
	for _, a := range acls {
		if a.ExternalIDs[nbrows.KeyACLRole] == nbrows.RoleRule {
			if got := len(ref.FindAllString(a.Match, -1)); got != rows {
				return fmt.Errorf("ACL %s names %d shards, want %d: %s", deref(a.Name), got, rows, a.Match)
			}
		}
	}
	return nil
}
