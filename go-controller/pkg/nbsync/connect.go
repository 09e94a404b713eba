// Package nbsync writes a desired nbrows.State into a live OVN Northbound database over OVSDB, in one
// transaction, so traffic never sees half a change. It has a pure core and a thin edge: Plan and
// PlanDelta compute the smallest set of operations from the rows tieracl owns (Current) or from a
// name lookup, without I/O; ReadCurrent, CacheLookup and Commit read them from a libovsdb client and
// send the transaction; Sync, Ops and ApplyDelta put the two together.
package nbsync

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/client"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// Connect opens a monitored libovsdb client on the NB. addresses is one OVSDB address (unix:, tcp:,
// ssl:) or a comma-separated list for a clustered NB, where the client writes to the leader. Only the
// tables tieracl reads are monitored.
func Connect(ctx context.Context, addresses string, tlsConfig *tls.Config,
	opts ...client.Option) (client.Client, error) {
	dbModel, err := nbdb.FullDatabaseModel()
	if err != nil {
		return nil, err
	}
	for _, a := range strings.Split(addresses, ",") {
		opts = append(opts, client.WithEndpoint(strings.TrimSpace(a)))
	}
	if tlsConfig != nil {
		opts = append(opts, client.WithTLSConfig(tlsConfig))
	}
	opts = append(opts, client.WithLeaderOnly(true))
	c, err := client.NewOVSDBClient(dbModel, opts...)
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("connect to NB %s: %w", addresses, err)
	}
	if _, err := c.Monitor(ctx, Monitor(c)); err != nil {
		c.Disconnect()
		return nil, fmt.Errorf("monitor NB: %w", err)
	}
	return c, nil
}

// Monitor returns the monitor of the tables tieracl reads: its own rows (ACLs, port groups, address sets,
// the log meter and its band) and the logical switch ports its port groups refer to, with their
// addresses (a new pod's first IPs). Port groups are monitored without their ports and address sets
// without their addresses: ovsdb-server sends, and libovsdb's cache copies, a row whole on every
// change, so a pod moving in or out of groups and sets of thousands of members would cost
// milliseconds in every client, and the members are most of the first monitor reply a restart
// decodes. Sync and Ops have NB compare them with desired (compareGroups, compareSets) and read
// whole only those that differ; ReadPortGroups and ReadAddressSets read them from NB. In the cache
// they are always empty.
func Monitor(c client.Client) *client.Monitor {
	lsp := &nbdb.LogicalSwitchPort{}
	pg := &nbdb.PortGroup{}
	as := &nbdb.AddressSet{}
	return c.NewMonitor(
		client.WithTable(&nbdb.ACL{}),
		client.WithTable(pg, &pg.Name, &pg.ACLs, &pg.ExternalIDs),
		client.WithTable(as, &as.Name, &as.ExternalIDs),
		client.WithTable(lsp, &lsp.Name, &lsp.Addresses, &lsp.DynamicAddresses),
		client.WithTable(&nbdb.Meter{}),
		client.WithTable(&nbdb.MeterBand{}),
	)
}
