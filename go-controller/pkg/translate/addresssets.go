package translate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// familySets names the rows of the IPv4 and IPv6 address sets that together hold one set of endpoints:
// one row each, or their shards.
type familySets struct{ v4, v6 []string }

// addressSets creates address sets on demand and shares them: rules whose peers select the same things
// (equal policy.Peer keys) use the same pair of sets, which keeps NB small when many policies name the
// same namespaces or pods.
type addressSets struct {
	// mu guards the maps: NetworkPolicies are emitted on several goroutines (see emitNetworkPolicies).
	mu sync.Mutex
	// pending holds, per peer key, the one creation of its sets that callers of forPeer wait for.
	pending map[string]*madeOnce[familySets]
	// pendingPorts is pending for forNamedPort.
	pendingPorts map[string]*madeOnce[namedPortResolution]

	ix        *cluster.Index
	addrs     *addrTable
	rows      map[string]*nbrows.AddressSet
	peers     map[string]familySets
	namedPort map[string]namedPortResolution // by port name and protocol filter
	// selections (shared with the port groups') and namedPortRefs feed Result.Selections and
	// Result.NamedPorts.
	selections    map[string]*Selection
	namedPortRefs map[NamedPortRef]bool
	bound         int            // shard bound; 0: never shard
	prevShards    map[string]int // Options.Shards
	shards        map[string]int // Result.Shards
}

// newAddressSets records the selections of its sets in selections; policies is how many policies will
// ask for sets, to size the maps.
func newAddressSets(ix *cluster.Index, selections map[string]*Selection, policies int, opts Options) *addressSets {
	return &addressSets{ix: ix, addrs: newAddrTable(ix), rows: make(map[string]*nbrows.AddressSet, 2*policies),
		peers: make(map[string]familySets, policies), namedPort: map[string]namedPortResolution{},
		selections: selections, namedPortRefs: map[NamedPortRef]bool{},
		bound: shardBound(opts), prevShards: opts.Shards, shards: map[string]int{}}
}

// madeOnce is a value made by the first goroutine to ask for it; the others wait for it.
type madeOnce[T any] struct {
	once sync.Once
	v    T
}

// makeOnce returns done[key] when it is there, else the value that build returns, made once for all the
// callers of key. mu guards done and pending, and is not held while build runs.
func makeOnce[T any](mu *sync.Mutex, done map[string]T, pending *map[string]*madeOnce[T], key string,
	build func() T) T {
	mu.Lock()
	if v, ok := done[key]; ok {
		mu.Unlock()
		return v
	}
	e := (*pending)[key]
	if e == nil {
		if *pending == nil {
			*pending = map[string]*madeOnce[T]{}
		}
		e = &madeOnce[T]{}
		(*pending)[key] = e
	}
	mu.Unlock()
	e.once.Do(func() { e.v = build() })
	return e.v
}

// forPeer returns the sets holding what a pods or nodes peer selects. The first caller for a key creates
// them, outside the lock but for the rows and selections; the others wait for it.
func (a *addressSets) forPeer(p policy.Peer) familySets {
	key := p.Key()
	return makeOnce(&a.mu, a.peers, &a.pending, key, func() familySets { return a.newPeerSets(p, key) })
}

// newPeerSets creates the sets of a peer whose key is key.
func (a *addressSets) newPeerSets(p policy.Peer, key string) familySets {
	var nums []int32
	var kind, readable string
	switch p.Kind {
	case policy.PeerPods:
		kind = "pods"
		var pods []int32
		if p.Namespace != "" {
			pods = a.ix.SelectPodOrdsIn(p.Namespace, p.PodSelector)
			readable = p.Namespace + "_" + p.PodSelector.String()
		} else {
			pods = a.ix.SelectPodOrds(p.NamespaceSelector, p.PodSelector)
			readable = p.NamespaceSelector.String()
			if !p.PodSelector.Empty() {
				readable += "_" + p.PodSelector.String()
			}
		}
		nums = a.addrs.appendPods(nums, pods...)
	case policy.PeerNodes:
		kind = "nodes"
		readable = p.NodeSelector.String()
		for _, n := range a.ix.SelectNodes(p.NodeSelector) {
			nums = a.addrs.appendAddrs(nums, n.IPs)
		}
	default:
		panic(fmt.Sprintf("translate: no address set for %s peers", p.Kind))
	}
	// The namespace-name label is in most selectors; its short form keeps names readable.
	readable = strings.ReplaceAll(readable, corev1.LabelMetadataName, "ns")
	if readable == "" {
		readable = "all"
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	fs := a.create(kind, readable, key, nbrows.OwnerKindPeerSet, nums)
	a.peers[key] = fs
	sel := Selection{Kind: SelectPods, Namespace: p.Namespace, NamespaceSelector: p.NamespaceSelector,
		PodSelector: p.PodSelector}
	if p.Kind == policy.PeerNodes {
		sel = Selection{Kind: SelectNodes, NodeSelector: p.NodeSelector}
	}
	a.recordSelection(fs, sel)
	return fs
}

// create makes the IPv4 and IPv6 sets for one identity, of the addresses numbered nums (see addrTable).
// Two pods can hold one address (IPAM reuse); an OVSDB set holds each value once.
func (a *addressSets) create(kind, readable, key, ownerKind string, nums []int32) familySets {
	name4, name6 := peerSetNames(kind, readable, key)
	owner := sanitize(readable)
	v4, v6 := a.addrs.families(nums)
	var fs familySets
	for _, f := range []struct {
		name, family string
		addrs        []string
		rows         *[]string
	}{{name4, "ipv4", v4, &fs.v4}, {name6, "ipv6", v6, &fs.v6}} {
		ids := map[string]string{
			nbrows.KeyManagedBy: nbrows.ManagedByValue, nbrows.KeyOwnerKind: ownerKind,
			nbrows.KeyOwnerName: owner, nbrows.KeyPeer: key, nbrows.KeyIPFamily: f.family,
		}
		*f.rows = a.addRows(f.name, f.addrs, ids)
	}
	return fs
}

// addRows adds the rows of one set, its shards when it is larger than the bound, and returns their names.
func (a *addressSets) addRows(name string, addrs []string, ids map[string]string) []string {
	k := ShardCount(a.prevShards[name], len(addrs), a.bound)
	a.shards[name] = k
	if k == 1 {
		a.rows[name] = &nbrows.AddressSet{Name: name, Addresses: addrs, ExternalIDs: ids}
		return []string{name}
	}
	rows := ShardRows(name, k)
	for i, part := range splitShards(addrs, k) {
		sids := make(map[string]string, len(ids)+2)
		for key, v := range ids {
			sids[key] = v
		}
		sids[nbrows.KeyShardOf] = name
		sids[nbrows.KeyShard] = strconv.Itoa(i) + "/" + strconv.Itoa(k)
		a.rows[rows[i]] = &nbrows.AddressSet{Name: rows[i], Addresses: part, ExternalIDs: sids}
	}
	return rows
}

// namedPortGroup is the pods on which one named port resolves to the same protocol and number.
type namedPortGroup struct {
	protocol corev1.Protocol
	number   int32
	sets     familySets
}

// namedPortResolution is what a named port resolves to, and the pods whose port of that name has a number
// outside 1-65535 or an unknown protocol: they are left out, as OVN would drop the whole ACL.
type namedPortResolution struct {
	groups  []namedPortGroup
	ignored []string
}

// forNamedPort resolves a named port on every selectable pod and returns one group per distinct
// (protocol, number). protocol, when set, keeps only container ports of that protocol (NetworkPolicy).
// As forPeer, the first caller for a name and protocol resolves it, the others wait.
func (a *addressSets) forNamedPort(name string, protocol corev1.Protocol) namedPortResolution {
	cacheKey := name + "/" + string(protocol)
	return makeOnce(&a.mu, a.namedPort, &a.pendingPorts, cacheKey,
		func() namedPortResolution { return a.resolveNamedPort(name, protocol, cacheKey) })
}

// resolveNamedPort resolves a named port, whose key in namedPort is cacheKey: the pods are read outside
// the lock, the sets made under it.
func (a *addressSets) resolveNamedPort(name string, protocol corev1.Protocol, cacheKey string) namedPortResolution {
	type target struct {
		protocol corev1.Protocol
		number   int32
	}
	nums := map[target][]int32{}
	var res namedPortResolution
	for _, pod := range a.ix.Pods() {
		if !pod.Selectable() {
			continue
		}
		if bad, ok := cluster.BadNamedPort(pod.Pod, name); ok && (protocol == "" || bad.Protocol == protocol) {
			res.ignored = append(res.ignored, fmt.Sprintf("%s has %s/%d", pod.Key(), bad.Protocol, bad.ContainerPort))
		}
		cp, ok := cluster.NamedPort(pod.Pod, name)
		if !ok || (protocol != "" && cp.Protocol != protocol) {
			continue
		}
		t := target{cp.Protocol, cp.ContainerPort}
		nums[t] = a.addrs.appendPods(nums[t], int32(pod.Ord))
	}
	sort.Strings(res.ignored)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.namedPortRefs[NamedPortRef{Name: name, Filter: protocol}] = true
	var groups []namedPortGroup
	for t, addrs := range nums {
		readable := fmt.Sprintf("%s_%s_%d", name, t.protocol, t.number)
		key := fmt.Sprintf("pods with port %s = %s/%d", name, t.protocol, t.number)
		fs := a.create("namedport", readable, key, nbrows.OwnerKindNamedPort, addrs)
		a.recordSelection(fs, Selection{Kind: SelectNamedPort, PortName: name, PortFilter: protocol,
			PortProtocol: t.protocol, PortNumber: t.number})
		groups = append(groups, namedPortGroup{t.protocol, t.number, fs})
	}
	sort.Slice(groups, func(i, j int) bool {
		if groups[i].protocol != groups[j].protocol {
			return groups[i].protocol < groups[j].protocol
		}
		return groups[i].number < groups[j].number
	})
	res.groups = groups
	a.namedPort[cacheKey] = res
	return res
}

// recordSelection records what every row of both sets of a family pair holds.
func (a *addressSets) recordSelection(fs familySets, sel Selection) {
	for _, f := range []struct {
		family string
		rows   []string
	}{{"ipv4", fs.v4}, {"ipv6", fs.v6}} {
		for i, row := range f.rows {
			s := sel
			s.Family = f.family
			if len(f.rows) > 1 {
				s.Set, s.Shard, s.Shards = a.rows[row].ExternalIDs[nbrows.KeyShardOf], i, len(f.rows)
			}
			a.selections[row] = &s
		}
	}
}

// emitted drops what only emitting needed (the index, the address table, the sets being created), so the
// garbage collector can take it while the rows are sorted.
func (a *addressSets) emitted() {
	a.ix, a.addrs, a.pending, a.pendingPorts = nil, nil, nil, nil
}

func (a *addressSets) all() []nbrows.AddressSet {
	out := make([]nbrows.AddressSet, 0, len(a.rows))
	for _, r := range a.rows {
		out = append(out, *r)
	}
	return out
}
