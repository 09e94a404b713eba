package ovnsandbox

import "github.com/tieracl/tieracl/go-controller/pkg/probe"

// flowCase is one flow of the fixture and whether the ACLs of its case let it through.
type flowCase struct {
	From, To string // "<namespace>/<pod>" or "node/<name>"
	Protocol probe.Protocol
	Port     uint16
	Allowed  bool
}

// aclCase is a set of ACLs and the verdicts it must give; the control-plane test checks them with
// ovn-trace, the datapath test with real packets.
type aclCase struct {
	name  string
	acls  []aclSpec
	flows []flowCase
}

const (
	client = "alpha/client"
	server = "beta/server"
	node1  = "node/node-1"
)

var aclCases = []aclCase{
	{
		name: "no ACL allows everything",
		flows: []flowCase{
			{From: client, To: server, Protocol: probe.TCP, Port: 8080, Allowed: true},
			{From: client, To: server, Protocol: probe.UDP, Port: 53, Allowed: true},
			{From: node1, To: server, Protocol: probe.TCP, Port: 80, Allowed: true},
		},
	},
	{
		name: "tier-1 drop on the destination drops only its port",
		acls: []aclSpec{{Tier: 1, Direction: "to-lport", Priority: 1000,
			Match: `outport == "beta_server" && tcp.dst == 8080`, Action: "drop"}},
		flows: []flowCase{
			{From: client, To: server, Protocol: probe.TCP, Port: 8080, Allowed: false},
			{From: client, To: server, Protocol: probe.TCP, Port: 80, Allowed: true},
			{From: client, To: server, Protocol: probe.UDP, Port: 53, Allowed: true},
		},
	},
	{
		name: "tier-1 drop on the source in a port group",
		acls: []aclSpec{{PortGroup: "pg_client", Tier: 1, Direction: "from-lport", Priority: 1000,
			Match: `inport == @pg_client && udp`, Action: "drop"}},
		flows: []flowCase{
			{From: client, To: server, Protocol: probe.UDP, Port: 53, Allowed: false},
			{From: client, To: server, Protocol: probe.TCP, Port: 80, Allowed: true},
		},
	},
	{
		name: "tier-1 pass then tier-2 drop drops",
		acls: []aclSpec{
			{Tier: 1, Direction: "to-lport", Priority: 1000, Match: `outport == "beta_server" && ip4`, Action: "pass"},
			{Tier: 2, Direction: "to-lport", Priority: 1000, Match: `outport == "beta_server" && tcp.dst == 80`, Action: "drop"},
		},
		flows: []flowCase{
			{From: client, To: server, Protocol: probe.TCP, Port: 80, Allowed: false},
			{From: client, To: server, Protocol: probe.TCP, Port: 8080, Allowed: true},
		},
	},
	{
		name: "tier-1 allow-related wins over a tier-2 drop",
		acls: []aclSpec{
			{Tier: 1, Direction: "to-lport", Priority: 1000, Match: `outport == "beta_server" && tcp.dst == 80`,
				Action: "allow-related"},
			{Tier: 2, Direction: "to-lport", Priority: 1000, Match: `outport == "beta_server" && ip4`, Action: "drop"},
		},
		flows: []flowCase{
			{From: client, To: server, Protocol: probe.TCP, Port: 80, Allowed: true},
			{From: client, To: server, Protocol: probe.TCP, Port: 8080, Allowed: false},
		},
	},
	{
		// The allow-related ACL makes the switch stateful, so the server's connection to the node gets its
		// replies past the drop as established traffic; a switch with drop ACLs only is stateless, and
		// there a reply is judged like any packet (ovn-trace, which sees one packet, cannot show that).
		name: "node addresses are judged by ACLs",
		acls: []aclSpec{
			{Tier: 3, Direction: "to-lport", Priority: 1000, Match: `outport == "beta_server" && ip4.src == 172.18.0.2`,
				Action: "drop"},
			{Tier: 3, Direction: "to-lport", Priority: 1, Match: `ip4`, Action: "allow-related"},
		},
		flows: []flowCase{
			{From: node1, To: server, Protocol: probe.TCP, Port: 80, Allowed: false},
			{From: client, To: server, Protocol: probe.TCP, Port: 80, Allowed: true},
			{From: server, To: node1, Protocol: probe.TCP, Port: 10250, Allowed: true},
		},
	},
}
