// Package memnb serves an OVN Northbound database in the test process: libovsdb's OVSDB server and
// in-memory database with the NB schema tieracl's model is generated from. Tests that need NB but not
// ovn-northd run against it hermetically (no OVN binaries, no root), as `make unit` must. It does not
// garbage-collect unreferenced rows as ovsdb-server does; tests of that use a real ovsdb-server.
package memnb

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/database/inmemory"
	"github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
	"github.com/ovn-kubernetes/libovsdb/server"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// Start serves an empty NB on a unix socket in the test's temp folder until the test ends, and returns
// its address ("unix:...").
func Start(t testing.TB) string {
	t.Helper()
	clientModel, err := nbdb.FullDatabaseModel()
	if err != nil {
		t.Fatal(err)
	}
	dbModel, errs := model.NewDatabaseModel(nbdb.Schema(), clientModel)
	if len(errs) > 0 {
		t.Fatalf("NB database model: %v", errs)
	}
	logger := logr.Discard()
	db := inmemory.NewDatabase(map[string]model.ClientDBModel{clientModel.Name(): clientModel}, &logger)
	srv, err := server.NewOvsdbServer(db, &logger, dbModel)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "nb.sock")
	served := make(chan error, 1)
	go func() { served <- srv.Serve("unix", sock) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; err != nil {
			t.Errorf("in-process NB: %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !srv.Ready() {
		select {
		case err := <-served:
			t.Fatalf("in-process NB did not start: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("in-process NB did not start within 10 s")
		}
	}
	return "unix:" + sock
}

// Connect opens a client with the controller's monitor (nbsync.Monitor), as nbsync.Connect does but not
// leader-only: this server has no _Server database to ask who leads.
func Connect(ctx context.Context, address string, opts ...client.Option) (client.Client, error) {
	clientModel, err := nbdb.FullDatabaseModel()
	if err != nil {
		return nil, err
	}
	c, err := client.NewOVSDBClient(clientModel, append(opts, client.WithEndpoint(address))...)
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("connect to %s: %w", address, err)
	}
	if _, err := c.Monitor(ctx, nbsync.Monitor(c)); err != nil {
		c.Disconnect()
		return nil, fmt.Errorf("monitor %s: %w", address, err)
	}
	return c, nil
}

// AddPorts creates the logical switch "sw" with these ports, or adds them to it, in one transaction,
// and waits until c's cache shows them (the planner reads ports from the cache).
func AddPorts(ctx context.Context, c client.Client, names ...string) error {
	var ops []ovsdb.Operation
	var uuids []string
	for _, name := range names {
		lsp := &nbdb.LogicalSwitchPort{UUID: "new_" + name, Name: name}
		op, err := c.Create(lsp)
		if err != nil {
			return err
		}
		ops, uuids = append(ops, op...), append(uuids, lsp.UUID)
	}
	var switches []*nbdb.LogicalSwitch
	if err := c.List(ctx, &switches); err != nil {
		return err
	}
	var op []ovsdb.Operation
	var err error
	if len(switches) == 0 {
		op, err = c.Create(&nbdb.LogicalSwitch{UUID: "new_sw", Name: "sw", Ports: uuids})
	} else {
		sw := switches[0]
		op, err = c.Where(sw).Mutate(sw, model.Mutation{Field: &sw.Ports, Mutator: ovsdb.MutateOperationInsert,
			Value: uuids})
	}
	if err != nil {
		return err
	}
	ops = append(ops, op...)
	results, err := c.Transact(ctx, ops...)
	if err == nil {
		_, err = ovsdb.CheckOperationResults(results, ops)
	}
	if err != nil {
		return fmt.Errorf("add ports %v: %w", names, err)
	}
	for {
		cur, err := nbsync.ReadCurrent(ctx, c)
		if err != nil {
			return err
		}
		missing := false
		for _, n := range names {
			missing = missing || cur.Ports[n] == ""
		}
		if !missing {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the cache never showed ports %v: %w", names, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}
