package nbrows

// External-ID keys on every row tieracl writes. ManagedBy marks ownership: the controller touches only
// rows that carry it, so it can share an NB with the CNI that made the switches and ports.
const (
	KeyManagedBy = "tieracl.io/managed-by" // always ManagedByValue
	// KeyOwnerKind is ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy, NetworkPolicy,
	// or for shared sets PeerSet, NamedPort.
	KeyOwnerKind  = "tieracl.io/owner-kind"
	KeyOwnerName  = "tieracl.io/owner-name" // name, or namespace/name for NetworkPolicy
	KeyPriority   = "tieracl.io/priority"   // the policy's API priority (Admin and Baseline tiers)
	KeyTier       = "tieracl.io/tier"       // a ClusterNetworkPolicy's spec.tier: Admin or Baseline
	KeyDirection  = "tieracl.io/direction"  // Ingress or Egress
	KeyRuleIndex  = "tieracl.io/rule-index" // the rule's position in its direction's list, from 0
	KeyRuleName   = "tieracl.io/rule-name"  // the rule's name, when it has one
	KeyRuleAction = "tieracl.io/rule-action"
	KeyACLRole    = "tieracl.io/acl-role" // rule, isolation (NetworkPolicy default deny), neighbor (ARP/ND), stateful
	KeyPeer       = "tieracl.io/peer"     // address sets: what the peer selects, in words
	KeyIPFamily   = "tieracl.io/ip-family"
	// KeyShardOf names the address set that a shard row is part of (the set's name when it is one row);
	// KeyShard is "i/K": the row holds the set's addresses whose hash is i modulo K.
	KeyShardOf = "tieracl.io/shard-of"
	KeyShard   = "tieracl.io/shard"

	ManagedByValue = "tieracl"
)

// ACL roles.
const (
	RoleRule      = "rule"
	RoleIsolation = "isolation"
	RoleNeighbor  = "neighbor"
	RoleStateful  = "stateful" // matches nothing; keeps OVN tracking connections on the policy's switches
)

// Owner kinds of shared address sets, which belong to no single policy.
const (
	OwnerKindPeerSet   = "PeerSet"    // what one peer selector selects
	OwnerKindNamedPort = "NamedPort"  // the pods on which a named port has one protocol and number
	OwnerKindLogMeter  = "ACLLogging" // the Meter that rate-limits ACL log messages
)
