package translate

import (
	"maps"
	"math/rand"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
)

func TestShardCount(t *testing.T) {
	tests := []struct {
		prev, n, bound, want int
	}{
		{0, 0, 1024, 1},
		{0, 1024, 1024, 1}, // at the bound: one row, as without shards
		{0, 1025, 1024, 2}, // over it: the band of 2 is (512, 2048]
		{0, 10000, 1024, 16},
		{0, 50000, 0, 1},   // sharding off
		{1, 1025, 1024, 1}, // known as one row: one up to twice the bound
		{1, 2048, 1024, 1},
		{1, 2049, 1024, 4}, // the band of 4 is (1024, 4096]
		{2, 1024, 1024, 2}, // inside the band: no flap back to one row
		{2, 513, 1024, 2},
		{2, 512, 1024, 1}, // at its lower end
		{2, 2048, 1024, 2},
		{2, 2049, 1024, 4}, // 2*2049/1024 is 4.002
		{4, 4097, 1024, 8},
		{32, 8193, 1024, 32},
		{32, 8192, 1024, 16},
		{32, 100, 1024, 1},
		{4, 100000, 1024, 256},
		{2, 2000, -1, 1},
	}
	for _, tt := range tests {
		if got := ShardCount(tt.prev, tt.n, tt.bound); got != tt.want {
			t.Errorf("ShardCount(%d, %d, %d) = %d, want %d", tt.prev, tt.n, tt.bound, got, tt.want)
		}
	}
}

func TestShardInfo(t *testing.T) {
	tests := []struct {
		ids       map[string]string
		set       string
		i, k      int
		wantShard bool
	}{
		{map[string]string{nbrows.KeyShardOf: "s_v4", nbrows.KeyShard: "3/8"}, "s_v4", 3, 8, true},
		{map[string]string{nbrows.KeyPeer: "x"}, "", 0, 0, false},
		{map[string]string{nbrows.KeyShardOf: "s_v4", nbrows.KeyShard: "8/8"}, "", 0, 0, false},
		{map[string]string{nbrows.KeyShardOf: "s_v4", nbrows.KeyShard: "x"}, "", 0, 0, false},
	}
	for _, tt := range tests {
		set, i, k, ok := ShardInfo(tt.ids)
		if set != tt.set || i != tt.i || k != tt.k || ok != tt.wantShard {
			t.Errorf("ShardInfo(%v) = %q %d %d %v, want %q %d %d %v", tt.ids, set, i, k, ok, tt.set, tt.i, tt.k,
				tt.wantShard)
		}
	}
}

// TestShardedTranslation compares translations of random clusters with and without a tiny shard bound:
// sets at or under it are the same rows, larger ones are split by ShardOf into rows that together hold
// the set, carry its IDs and say what they are a shard of, and matches name every shard instead of the
// set. Translating again from the rows' shard counts (a restart) gives the same rows.
func TestShardedTranslation(t *testing.T) {
	const bound = 2
	rng := rand.New(rand.NewSource(7))
	sharded := 0
	for c := 0; c < 100; c++ {
		snap := synth.Random(rng)
		whole := Translate(snap, Options{SetShardBound: -1}).State
		res := Translate(snap, Options{SetShardBound: bound})
		got := res.State.AddressSetByName()
		for _, as := range whole.AddressSets {
			k := ShardCount(0, len(as.Addresses), bound)
			if k == 1 {
				if g := got[as.Name]; g == nil || !reflect.DeepEqual(*g, as) {
					t.Fatalf("cluster %d: set %s of %d addresses is %v, want it unchanged", c, as.Name,
						len(as.Addresses), g)
				}
				continue
			}
			sharded++
			if got[as.Name] != nil || res.Shards[as.Name] != k {
				t.Fatalf("cluster %d: set %s of %d addresses: whole row kept or %d shards, want %d", c, as.Name,
					len(as.Addresses), res.Shards[as.Name], k)
			}
			var union []string
			for i, row := range ShardRows(as.Name, k) {
				s := got[row]
				if s == nil {
					t.Fatalf("cluster %d: shard %s missing", c, row)
				}
				ids := maps.Clone(as.ExternalIDs)
				ids[nbrows.KeyShardOf], ids[nbrows.KeyShard] = as.Name, strconv.Itoa(i)+"/"+strconv.Itoa(k)
				if !maps.Equal(s.ExternalIDs, ids) {
					t.Errorf("cluster %d: shard %s IDs %v, want %v", c, row, s.ExternalIDs, ids)
				}
				for _, a := range s.Addresses {
					if ShardOf(a, k) != i {
						t.Errorf("cluster %d: %s in shard %s, want shard %d", c, a, row, ShardOf(a, k))
					}
				}
				union = append(union, s.Addresses...)
			}
			if slices.Sort(union); !slices.Equal(union, as.Addresses) {
				t.Errorf("cluster %d: shards of %s hold %v, want %v", c, as.Name, union, as.Addresses)
			}
			checkMatchesNameShards(t, res.State.ACLs, as.Name, ShardRows(as.Name, k))
		}
		again := Translate(snap, Options{SetShardBound: bound, Shards: StateShards(&res.State)})
		if !reflect.DeepEqual(again.State, res.State) {
			t.Fatalf("cluster %d: translating from the rows' shard counts changes the rows", c)
		}
	}
	if sharded == 0 {
		t.Fatal("no set was sharded: the test exercises nothing")
	}
}

func checkMatchesNameShards(t *testing.T, acls []nbrows.ACL, set string, shards []string) {
	t.Helper()
	whole := regexp.MustCompile(`\$` + set + `\b`)
	for _, a := range acls {
		if whole.MatchString(a.Match) {
			t.Errorf("ACL %s names the sharded set %s whole: %s", a.Name, set, a.Match)
		}
		for _, s := range shards {
			if regexp.MustCompile(`\$` + s + `\b`).MatchString(a.Match) {
				for _, other := range shards {
					if !regexp.MustCompile(`\$` + other + `\b`).MatchString(a.Match) {
						t.Errorf("ACL %s names shard %s but not %s: %s", a.Name, s, other, a.Match)
					}
				}
				break
			}
		}
	}
}
