package ovnsandbox

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// nbDatabase is the NB's database name inside its schema.
const nbDatabase = "OVN_Northbound"

func nbMember(i int) string { return "nb" + strconv.Itoa(i+1) }

// startNBCluster makes the NB a raft cluster of n members, as a production clustered NB is made: the
// first member's database with `ovsdb-tool create-cluster`, the others' with `join-cluster` pointing at
// it, each served by its own ovsdb-server (raft on a loopback TCP port, clients on its unix socket); it
// waits until every member has joined.
func (b *Bed) startNBCluster(ctx context.Context, n int) error {
	ports, err := loopbackPorts(n)
	if err != nil {
		return err
	}
	raft := func(i int) string { return "tcp:127.0.0.1:" + strconv.Itoa(ports[i]) }
	for i := range n {
		args := []string{"create-cluster", b.dbFile(nbMember(i)), b.OVN.nbSchema(), raft(0)}
		if i > 0 {
			args = []string{"join-cluster", b.dbFile(nbMember(i)), nbDatabase, raft(i), raft(0)}
		}
		if _, err := b.run(ctx, "ovsdb-tool", args...); err != nil {
			return err
		}
	}
	for i := range n {
		if _, err := b.startNBMember(ctx, i); err != nil {
			return err
		}
	}
	for i := range n {
		if _, err := b.run(ctx, "ovsdb-client", "--timeout=30", "wait", "unix:"+b.socketFile(nbMember(i)),
			nbDatabase, "connected"); err != nil {
			return fmt.Errorf("NB member %d did not join the cluster: %w\n%s", i+1, err, b.Logs(10))
		}
	}
	return nil
}

func (b *Bed) startNBMember(ctx context.Context, i int) (*daemon, error) {
	m := nbMember(i)
	return b.startDaemon(ctx, "ovsdb-"+m, "", "ovsdb-server", []string{b.socketFile(m)},
		"--remote=punix:"+b.socketFile(m), b.dbFile(m))
}

// NBMembers is the number of NB ovsdb-servers: Options.NBServers for a clustered NB, else 1.
func (b *Bed) NBMembers() int { return max(b.opts.NBServers, 1) }

// NBMemberSocket is member i's (0-based) remote, "unix:<path>"; NBSocket lists every member's.
func (b *Bed) NBMemberSocket(i int) string { return "unix:" + b.socketFile(nbMember(i)) }

// NBLeader returns the index of the member that is the cluster's raft leader now, asking each member
// that runs (`cluster/status`).
func (b *Bed) NBLeader(ctx context.Context) (int, error) {
	if b.opts.NBServers < 2 {
		return 0, fmt.Errorf("ovnsandbox: the NB is not clustered")
	}
	var seen []string
	for i := range b.opts.NBServers {
		out, err := b.run(ctx, "ovs-appctl", "--timeout=5", "-t", b.ctlSocket("ovsdb-"+nbMember(i)),
			"cluster/status", nbDatabase)
		if err != nil {
			seen = append(seen, fmt.Sprintf("member %d: %v", i+1, err))
			continue
		}
		for _, line := range strings.Split(out, "\n") {
			if role, ok := strings.CutPrefix(strings.TrimSpace(line), "Role:"); ok {
				role = strings.TrimSpace(role)
				if role == "leader" {
					return i, nil
				}
				seen = append(seen, fmt.Sprintf("member %d: %s", i+1, role))
			}
		}
	}
	return 0, fmt.Errorf("ovnsandbox: no NB member is the leader (%s)", strings.Join(seen, "; "))
}

// KillNBMember ends member i of a clustered NB with SIGKILL, as a crash would; its database file stays
// and StartNBMember serves it again.
func (b *Bed) KillNBMember(i int) error {
	return b.stopServer("ovsdb-"+nbMember(i), b.socketFile(nbMember(i)), true)
}

// StartNBMember starts member i again on its database file; it rejoins the cluster by itself.
func (b *Bed) StartNBMember(ctx context.Context, i int) error {
	return b.restartServer("ovsdb-"+nbMember(i), func() (*daemon, error) { return b.startNBMember(ctx, i) })
}

// loopbackPorts returns n TCP ports on 127.0.0.1 that were free a moment ago.
func loopbackPorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("picking a free port: %w", err)
		}
		// Held until all n are picked so no port comes twice; only the numbers are wanted.
		defer func() { _ = l.Close() }()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
