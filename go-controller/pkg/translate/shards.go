package translate

import (
	"hash/fnv"
	"iter"
	"math"
	"strconv"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
)

// An address set larger than the shard bound is written as K rows, its shards, and ACL matches name them
// all ({$set_s0, $set_s1, ...}). ovsdb-server's cost for a transaction that moves one address is linear
// in the size of the row it mutates (it copies the row and diffs it for the log and each monitor), so a
// pod move into a set of 10,000 costs ten times one into a row of 1,000.
//
// A set at or below the bound is one row named as the set, exactly as without sharding. K is a power of
// two. Re-sharding changes ACL matches, which only a new translation writes (in one transaction with the
// new rows), and costs a whole-state write, so the count has hysteresis (ShardCount): a set of K shards
// keeps them while it has more than K*bound/4 addresses and at most K*bound.

// SuggestedSetShardBound is the bound to give when sharding is wanted: below about 1,000 addresses
// ovsdb-server's cost for a set is mostly the transaction's own. Sharding is off unless asked for: on
// the bench's workloads it cut ovsdb-server's CPU per event by less than the extra rows and operations
// cost the stream (docs/performance.md).
const SuggestedSetShardBound = 1024

// shardBound is the bound opts asks for; 0 (the default) or a negative bound turns sharding off.
func shardBound(opts Options) int {
	return max(opts.SetShardBound, 0)
}

// ShardBound is the shard bound that opts ask for, 0 when sets are never sharded.
func ShardBound(opts Options) int { return shardBound(opts) }

// ShardCount is how many shards a set of n addresses has when it had prev (0 when unknown, as for a new
// set or a first translation). A new set of at most bound addresses is one row, as without sharding; a
// set known to be one row stays one up to twice the bound, so that the sets a first translation leaves
// just under the bound do not re-shard as soon as they grow. A count K > 1 is kept while n stays in its
// band, (K/4 * bound, K * bound]. A set that leaves its band (or a new one over the bound) gets the K
// whose band has n nearest its geometric middle, K/2 * bound: the next change is at least a factor of
// about 1.4 away. bound 0 means one row.
func ShardCount(prev, n, bound int) int {
	switch {
	case bound <= 0:
		return 1
	case prev == 1 && n <= 2*bound:
		return 1
	case prev > 1 && n <= prev*bound && 4*n > prev*bound:
		return prev
	case n <= bound:
		return 1
	}
	return 1 << max(1, int(math.Round(math.Log2(2*float64(n)/float64(bound)))))
}

// ShardOf is the shard of k that holds address addr: a stable hash of its text, which both the
// translation and the incremental tracker compute from the same canonical form.
func ShardOf(addr string, k int) int {
	if k <= 1 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(addr))
	return int(h.Sum32() & uint32(k-1))
}

// ShardName is the row of shard i of set. Set names end in _v4 or _v6, so a shard name never equals a
// set's; it is a valid OVN identifier as the set's name is.
func ShardName(set string, i int) string { return set + "_s" + strconv.Itoa(i) }

// ShardRows names the rows of a set of k shards: the set itself when k is 1.
func ShardRows(set string, k int) []string {
	if k <= 1 {
		return []string{set}
	}
	out := make([]string, k)
	for i := range out {
		out[i] = ShardName(set, i)
	}
	return out
}

// ShardInfo reads a row's shard external IDs: the set it is a shard of, its index and the set's shard
// count; ok is false for a row that is a whole set.
func ShardInfo(ids map[string]string) (set string, i, k int, ok bool) {
	set, ok = ids[nbrows.KeyShardOf]
	if !ok {
		return "", 0, 0, false
	}
	is, ks, found := strings.Cut(ids[nbrows.KeyShard], "/")
	i, err1 := strconv.Atoi(is)
	k, err2 := strconv.Atoi(ks)
	if !found || err1 != nil || err2 != nil || k < 1 || i < 0 || i >= k {
		return "", 0, 0, false
	}
	return set, i, k, true
}

// ShardCounts reads the shard counts of the sets from the names and external IDs of address set rows,
// e.g. those tieracl owns in NB on a restart, for Options.Shards: a shard row gives its set's count, a
// row that is a whole set 1.
func ShardCounts(rows iter.Seq2[string, map[string]string]) map[string]int {
	out := map[string]int{}
	for name, ids := range rows {
		if set, _, k, ok := ShardInfo(ids); ok {
			out[set] = k
		} else {
			out[name] = 1
		}
	}
	return out
}

// StateShards are the shard counts of the sets of s, e.g. of the live NB rows that a tool compares a
// translation with: the translation then keeps each set's rows as they are.
func StateShards(s *nbrows.State) map[string]int {
	return ShardCounts(Rows(s.AddressSets, func(as nbrows.AddressSet) (string, map[string]string) {
		return as.Name, as.ExternalIDs
	}))
}

// Rows yields the name and external IDs of each row, for ShardCounts.
func Rows[T any](rows []T, of func(T) (string, map[string]string)) iter.Seq2[string, map[string]string] {
	return func(yield func(string, map[string]string) bool) {
		for _, r := range rows {
			if !yield(of(r)) {
				return
			}
		}
	}
}

// splitShards spreads sorted addrs over k shards, each kept sorted.
func splitShards(addrs []string, k int) [][]string {
	out := make([][]string, k)
	for i := range out {
		out[i] = make([]string, 0, len(addrs)/k+len(addrs)/(4*k)+1)
	}
	for _, a := range addrs {
		i := ShardOf(a, k)
		out[i] = append(out[i], a)
	}
	return out
}

// setRefs is how a match names the rows of one set: $name, or {$name_s0, ...} for a sharded set.
func setRefs(rows []string) string {
	if len(rows) == 1 {
		return "$" + rows[0]
	}
	refs := make([]string, len(rows))
	for i, r := range rows {
		refs[i] = "$" + r
	}
	return "{" + strings.Join(refs, ", ") + "}"
}
