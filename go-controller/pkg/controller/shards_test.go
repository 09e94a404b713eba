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

// With a shard bound of one address, the set of every pod is in shards: a pod that grows it out of its
// shard count's band re-shards it (new rows, ACL matches naming them, the old rows gone), one that
// shrinks it back inside the band changes no rows but the members, and a controller restarted on that
// NB, whose fresh translation would shard the set differently, writes nothing.
func TestShardedSetsAcrossGrowthAndRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	e.put(testobj.ANP("all", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel()),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel(), testobj.Sel()))))
	bound := func(c *controller.Config) { c.SetShardBound = 1 }
	first := e.start(bound)
	steps := []struct {
		what   string
		change func()
		shards int // of the IPv4 set of every pod
	}{
		{"start: 4 pods", func() {}, 4},
		{"a fifth pod: more than 4 shards of 1", func() { e.put(pod("b", "fifth", 5)) }, 8},
		{"the fifth gone: 4 stay inside the band of 8", func() { e.del(e.snap.Pods[len(e.snap.Pods)-1]) }, 8},
	}
	for _, s := range steps {
		s.change()
		e.eventually(s.what+": NB holds the translation from its shard counts", func() error {
			counts, err := e.shardCounts()
			if err != nil {
				return err
			}
			if err := e.nbHoldsWith(translate.Options{SetShardBound: 1, Shards: counts}); err != nil {
				return err
			}
			return e.shardsNamed(s.shards)
		})
	}
	first.stop()

	second := e.start(bound)
	e.eventually("the restarted controller is in step", func() error { return e.shardsNamed(8) })
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
	return translate.ShardCounts(translate.RowIDs(sets, func(s *nbdb.AddressSet) map[string]string {
		return s.ExternalIDs
	})), nil
}

// nbHoldsWith is nbHolds with a translation of these options.
func (e *env) nbHoldsWith(opts translate.Options) error {
	want := translate.Translate(e.snap, opts).State
	ops, stats, err := nbsync.Ops(e.ctx, e.check, &want)
	if err == nil && len(ops) > 0 {
		err = fmt.Errorf("%d operations left (%+v)", len(ops), stats)
	}
	return err
}

// shardsNamed checks that the rule's ACL names k IPv4 shards and NB holds exactly those k rows of the set.
func (e *env) shardsNamed(k int) error {
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
	if shards != k {
		return fmt.Errorf("NB holds %d IPv4 shard rows, want %d", shards, k)
	}
	ref := regexp.MustCompile(`\$tieracl_\w+_v4_s\d+`)
	for _, a := range acls {
		if a.ExternalIDs[nbrows.KeyACLRole] == nbrows.RoleRule {
			if got := len(ref.FindAllString(a.Match, -1)); got != k {
				return fmt.Errorf("ACL %s names %d shards, want %d: %s", deref(a.Name), got, k, a.Match)
			}
		}
	}
	return nil
}
