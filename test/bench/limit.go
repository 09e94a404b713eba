package bench

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// Limit is the full sync's write alone: the same operations sent as one transaction by a plain
// libovsdb client (no cache, no monitor) into a fresh NB that holds the same topology. The controller
// cannot write the rows faster than that NB takes them.
type Limit struct {
	Seconds float64 `json:"seconds"` // the Transact call
	Ops     int     `json:"nb_ops"`
	// Written is what the controller's full sync writes for the same plan: it creates the port groups
	// ahead of their ACLs and adds those with one mutation per group.
	Written int     `json:"nb_ops_written"`
	NBCPU   float64 `json:"nb_cpu_seconds"` // the fresh NB server's CPU during it
}

// backupNB writes a standalone copy of the NB behind socket to file (ovsdb-client backup): the
// topology before the controller writes, for the limit's fresh NB.
func backupNB(ctx context.Context, root, dir, socket, file string) error {
	out, err := runOVN(ctx, root, dir, ovsdbClientBin, "backup", socket, "OVN_Northbound")
	if err != nil {
		return err
	}
	return os.WriteFile(file, out, 0o644)
}

// measureLimit serves the NB copy db in dir, computes there the operations that bring it to desired
// (those of the controller's full sync: the same planner on the same rows and UUIDs), and times them
// sent as one transaction.
func measureLimit(ctx context.Context, root, dir, db string, desired *nbrows.State) (Limit, error) {
	var l Limit
	srv, socket, err := startOVSDB(ctx, root, dir, "limit-nb", db)
	if err != nil {
		return l, err
	}
	defer srv.stop()

	planner, err := nbsync.Connect(ctx, socket, nil)
	if err != nil {
		return l, err
	}
	ops, _, err := nbsync.Ops(ctx, planner, desired)
	planner.Close()
	if err != nil {
		return l, fmt.Errorf("planning the full sync's operations: %w", err)
	}
	l.Ops = len(ops)
	l.Written = l.Ops + groupsWithACLs(desired)

	dbModel, err := nbdb.FullDatabaseModel()
	if err != nil {
		return l, err
	}
	plain, err := client.NewOVSDBClient(dbModel, client.WithEndpoint(socket))
	if err != nil {
		return l, err
	}
	if err := plain.Connect(ctx); err != nil {
		return l, err
	}
	defer plain.Close()
	cpu := processCPU(srv.pid())
	start := time.Now()
	results, err := plain.Transact(ctx, ops...)
	l.Seconds = time.Since(start).Seconds()
	l.NBCPU = processCPU(srv.pid()) - cpu
	if err != nil {
		return l, fmt.Errorf("the full sync's transaction: %w", err)
	}
	if _, err := ovsdb.CheckOperationResults(results, ops); err != nil {
		return l, fmt.Errorf("the full sync's transaction: %w", err)
	}
	return l, nil
}

// groupsWithACLs counts desired's port groups that hold ACLs: a whole-state write into an NB without
// them creates the groups ahead and adds their ACLs with one mutation each, an operation the plan of
// one transaction (an insert with its ACLs) does not have.
func groupsWithACLs(desired *nbrows.State) int {
	has := map[string]bool{}
	for _, a := range desired.ACLs {
		has[a.PortGroup] = true
	}
	n := 0
	for _, g := range desired.PortGroups {
		if has[g.Name] {
			n++
		}
	}
	return n
}
