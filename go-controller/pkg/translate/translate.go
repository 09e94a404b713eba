// Package translate is the core of tieracl: a pure, deterministic function from a cluster snapshot to the
// OVN Northbound rows that enforce its network policies. It does no I/O. docs/design.md describes the row
// shapes; docs/priorities.md the ACL priority bands.
package translate

import (
	"maps"
	"strconv"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
	"github.com/tieracl/tieracl/go-controller/pkg/priority"
)

// Options tune the translation to the cluster's CNI.
type Options struct {
	// PortName names a pod's logical switch port; nil means "<namespace>_<pod>".
	PortName cluster.PortNamer
	// ACLLogRate caps the log messages of each logged ACL, in packets per second (the Meter the logged
	// ACLs share is fair: each ACL is limited on its own); 0 means DefaultACLLogRate.
	ACLLogRate int
	// SetShardBound is the most addresses an address set holds in one row; a larger set is split into
	// shards (shards.go). 0 (the default) or a negative bound never shards; see SuggestedSetShardBound.
	SetShardBound int
	// Shards are the shard counts of the last translation's sets (Result.Shards, or ShardCounts of the
	// rows in NB after a restart): a set keeps its count until its size leaves the hysteresis band, so
	// that a set near a bound does not change its rows and ACLs on every pod move.
	Shards map[string]int
}

// Result is the desired NB state and every compiled policy with the problems found on the way, which the
// controller turns into status conditions and events.
type Result struct {
	State    nbrows.State
	Policies []*policy.Policy
	// Selections says, for every port group and address set of State by name, what it holds.
	Selections map[string]*Selection
	// NamedPorts are the named ports the rules refer to. A pod gaining or losing one of them can create or
	// empty a named-port address set, which changes ACL matches: only a new translation handles that.
	NamedPorts map[NamedPortRef]bool
	// Shards are the shard counts of the address sets (1 for a set written as one row), by set name.
	Shards map[string]int
}

// Translate computes the desired NB rows for a snapshot.
func Translate(s *cluster.Snapshot, opts Options) *Result {
	// The index and the policies are built from the snapshot alone, each on its own goroutine.
	var policies []*policy.Policy
	compiled := make(chan struct{})
	go func() {
		defer close(compiled)
		policies = policy.Compile(s)
	}()
	ix := cluster.NewIndex(s, opts.PortName)
	<-compiled
	// Most policies own a port group and a pair of address sets: the maps are sized for that, not grown.
	selections := make(map[string]*Selection, 3*len(policies))
	b := &builder{ix: ix, sets: newAddressSets(ix, selections, len(policies), opts),
		selections: selections}
	bands := allocateBands(policies)
	b.emit(policies, bands)
	b.checkNames(policies)
	b.addLogMeter(opts.ACLLogRate)
	b.state.AddressSets = b.sets.all()
	b.state.Sort()
	return &Result{State: b.state, Policies: policies, Selections: b.selections, NamedPorts: b.sets.namedPortRefs,
		Shards: b.sets.shards}
}

// aclBound is at most the number of ACLs the policies emit: one per rule and, per policy, the stateful
// ACL and for each isolated direction the neighbor and isolation ACLs. Sizing the slice up front saves
// copying hundreds of thousands of rows as it grows.
func aclBound(policies []*policy.Policy) int {
	n := 0
	for _, p := range policies {
		n += len(p.Ingress) + len(p.Egress) + 1 + 2*len(p.Isolates)
	}
	return n
}

// allocateBands gives every programmed Admin- and Baseline-tier policy its ACL priority band.
func allocateBands(policies []*policy.Policy) map[policy.Owner]priority.Band {
	reqs := map[policy.Tier][]priority.Request{}
	owners := map[string]policy.Owner{}
	for _, p := range policies {
		if p.Rejected || p.Tier == policy.TierNetworkPolicy {
			continue
		}
		id := p.Owner.String()
		owners[id] = p.Owner
		reqs[p.Tier] = append(reqs[p.Tier],
			priority.Request{ID: id, Priority: p.Priority, Width: max(len(p.Ingress), len(p.Egress))})
	}
	out := map[policy.Owner]priority.Band{}
	for _, r := range reqs {
		bands, _ := priority.Allocate(r)
		for id, band := range bands {
			out[owners[id]] = band
		}
	}
	return out
}

type builder struct {
	ix         *cluster.Index
	sets       *addressSets
	state      nbrows.State
	selections map[string]*Selection
	cur        *policy.Policy // the policy being emitted, which problems found on the way belong to
	// ids is ownerIDs(idsOf), which each row of that policy gets a copy of.
	idsOf *policy.Policy
	ids   map[string]string
	// parsedShapes are the shapes of the rule matches that parsed (see checkRuleMatch).
	parsedShapes map[string]bool
	shape        []byte // scratch for checkRuleMatch
}

// addPortGroup creates the port group of a policy's subject and returns its name.
func (b *builder) addPortGroup(p *policy.Policy) string {
	b.cur = p
	var ords []int32
	if p.Subject.Namespace != "" {
		ords = b.ix.SelectPodOrdsIn(p.Subject.Namespace, p.Subject.PodSelector)
	} else {
		ords = b.ix.SelectPodOrds(p.Subject.NamespaceSelector, p.Subject.PodSelector)
	}
	pg := nbrows.PortGroup{Name: portGroupName(p.Owner), Ports: make([]string, 0, len(ords)),
		ExternalIDs: b.ownerIDs(p, 0)}
	pods := b.ix.Pods()
	for _, o := range ords {
		if pod := pods[o]; pod.LogicalPort != "" {
			pg.Ports = append(pg.Ports, pod.LogicalPort)
		}
	}
	b.state.PortGroups = append(b.state.PortGroups, pg)
	sel := &Selection{Kind: SelectSubject, Namespace: p.Subject.Namespace,
		NamespaceSelector: p.Subject.NamespaceSelector, PodSelector: p.Subject.PodSelector}
	b.sets.mu.Lock() // shared with the other goroutines emitting NetworkPolicies
	b.selections[pg.Name] = sel
	b.sets.mu.Unlock()
	return pg.Name
}

// addClusterPolicy emits a ClusterNetworkPolicy, an ANP or the BANP: one ACL per rule, rule i
// of either direction at the band's top minus i.
func (b *builder) addClusterPolicy(p *policy.Policy, band priority.Band) {
	pg := b.addPortGroup(p)
	first := len(b.state.ACLs)
	for _, d := range []policy.Direction{policy.Ingress, policy.Egress} {
		for _, r := range p.Rules(d) {
			match, ok := b.validRuleMatch(pg, &r)
			if !ok {
				continue // matches nothing: no row; the slot stays reserved so priorities do not shift
			}
			b.addACL(p, pg, r.Direction, strconv.Itoa(r.Index), band.Priority(r.Index), match, r.Action, ruleIDs(p, r))
		}
	}
	b.keepStateful(p, pg, first)
}

// keepStateful gives a policy whose ACLs are all drops or passes one allow-related ACL that matches
// nothing. OVN tracks connections on a switch only when some ACL there is allow-related; without that, the
// replies of a connection the policy allows would be judged by its drop ACLs like new traffic (a Deny of
// egress to B would break B's connections to the subject). The match is constant false, so the ACL
// never decides anything itself.
func (b *builder) keepStateful(p *policy.Policy, pg string, first int) {
	for _, a := range b.state.ACLs[first:] {
		if a.Action == nbrows.ActionAllowRelated {
			return
		}
	}
	b.addACL(p, pg, policy.Ingress, "stateful", 0, subjectClause(policy.Ingress, pg)+" && 0", policy.ActionAllow,
		[]idPair{{nbrows.KeyACLRole, nbrows.RoleStateful}})
}

// NetworkPolicy priorities inside tier 2: what a rule allows beats the isolation drop.
const (
	NetworkPolicyAllowPriority = 1001
	NetworkPolicyDenyPriority  = 1000
)

// addNetworkPolicy emits a NetworkPolicy: its allow rules, and for each direction it isolates a drop of
// everything else, with ARP and IPv6 neighbor discovery let through so the pod stays reachable.
func (b *builder) addNetworkPolicy(p *policy.Policy) {
	pg := b.addPortGroup(p)
	first := len(b.state.ACLs)
	for _, d := range p.Isolates {
		for _, r := range p.Rules(d) {
			match, ok := b.validRuleMatch(pg, &r)
			if !ok {
				continue
			}
			b.addACL(p, pg, d, strconv.Itoa(r.Index), NetworkPolicyAllowPriority, match, policy.ActionAllow, ruleIDs(p, r))
		}
		subject := subjectClause(d, pg)
		b.addACL(p, pg, d, "neighbor", NetworkPolicyAllowPriority, subject+" && (arp || nd)", policy.ActionAllow,
			[]idPair{{nbrows.KeyACLRole, nbrows.RoleNeighbor}})
		b.addACL(p, pg, d, "isolate", NetworkPolicyDenyPriority, subject, policy.ActionDeny,
			[]idPair{{nbrows.KeyACLRole, nbrows.RoleIsolation}})
	}
	b.keepStateful(p, pg, first)
}

// idPair is one external ID of a row; the ones an ACL adds to its policy's are a short list, the role first.
type idPair struct{ key, value string }

func (b *builder) addACL(p *policy.Policy, pg string, d policy.Direction, what string, prio int, match string,
	a policy.Action, ids []idPair) {
	role := ids[0].value
	acl := nbrows.ACL{
		PortGroup: pg, Name: aclName(p, d, what), Tier: int(p.Tier), Priority: prio,
		Direction: nbrows.ToLport, Match: match, Action: ovnAction(a, role),
		ExternalIDs: b.ownerIDs(p, 1+len(ids)),
	}
	if d == policy.Egress {
		acl.Direction = nbrows.FromLport
		acl.Options = map[string]string{nbrows.OptionApplyAfterLB: "true"}
	}
	if sev := p.Logging.For(a); sev != "" && (role == nbrows.RoleRule || role == nbrows.RoleIsolation) {
		acl.Log, acl.Severity, acl.Meter = true, sev, LogMeterName
	}
	acl.ExternalIDs[nbrows.KeyDirection] = string(d)
	for _, id := range ids {
		acl.ExternalIDs[id.key] = id.value
	}
	b.state.ACLs = append(b.state.ACLs, acl)
}

// ovnAction maps an API action to OVN's. Allow is stateful (allow-related) so replies come back; the
// neighbor-discovery ACL is plain allow, ARP and ND having no connection to track.
func ovnAction(a policy.Action, role string) string {
	switch {
	case role == nbrows.RoleNeighbor:
		return nbrows.ActionAllow
	case a == policy.ActionAllow:
		return nbrows.ActionAllowRelated
	case a == policy.ActionPass:
		return nbrows.ActionPass
	}
	return nbrows.ActionDrop
}

// ownerIDs returns a new map of ownerIDs(p) with room for extra more keys.
func (b *builder) ownerIDs(p *policy.Policy, extra int) map[string]string {
	if b.idsOf != p {
		b.idsOf, b.ids = p, ownerIDs(p)
	}
	if len(b.ids)+extra <= smallMap {
		return maps.Clone(b.ids) // copies the one group of slots a small map has, which has room for extra
	}
	ids := make(map[string]string, len(b.ids)+extra)
	for k, v := range b.ids {
		ids[k] = v
	}
	return ids
}

func ownerIDs(p *policy.Policy) map[string]string {
	name := p.Owner.Name
	if p.Owner.Namespace != "" {
		name = p.Owner.Namespace + "/" + p.Owner.Name
	}
	ids := map[string]string{
		nbrows.KeyManagedBy: nbrows.ManagedByValue,
		nbrows.KeyOwnerKind: string(p.Owner.Kind),
		nbrows.KeyOwnerName: name,
	}
	if p.Tier != policy.TierNetworkPolicy {
		ids[nbrows.KeyPriority] = strconv.Itoa(int(p.Priority))
	}
	if p.Owner.Kind == policy.KindCNP {
		ids[nbrows.KeyTier] = p.Tier.String()
	}
	return ids
}

// ruleIDs say which rule an ACL comes from, with the action as its API spells it (a ClusterNetworkPolicy
// rule allows with Accept).
func ruleIDs(p *policy.Policy, r policy.Rule) []idPair {
	action := string(r.Action)
	if p.Owner.Kind == policy.KindCNP && r.Action == policy.ActionAllow {
		action = "Accept"
	}
	ids := []idPair{{nbrows.KeyACLRole, nbrows.RoleRule}, {nbrows.KeyRuleIndex, strconv.Itoa(r.Index)},
		{nbrows.KeyRuleAction, action}}
	if r.Name != "" {
		ids = append(ids, idPair{nbrows.KeyRuleName, r.Name})
	}
	return ids
}

// smallMap is the most entries a Go map holds in its first group of slots, without growing.
const smallMap = 8
