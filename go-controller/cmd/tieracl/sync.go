package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

func newSyncCommand() *cobra.Command {
	var in inputs
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "sync -f PATH... --nb ADDR [--dry-run]",
		Short: "Write the rows the files translate to into a live NB, in one transaction",
		Long: `sync translates the objects of the files and makes the rows tieracl owns in the Northbound database
equal to the result, in one transaction, with the controller's writer: for labs, CI and sites that run
no controller. Rows of other clients are never touched. Pods' logical switch ports are found by name
(--port-name-template) as the controller finds them; pods whose port NB lacks are listed, and join
their port groups on a later sync. --dry-run prints the OVSDB operations and writes nothing.
Exit status: 0 when written (or nothing to write), 2 on errors.`,
		Args: cobra.ArbitraryArgs,
	}
	nb := addNBFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(in.files)+len(args) == 0 {
			return fmt.Errorf("sync needs manifests: -f PATH")
		}
		snap, err := in.load(cmd, args)
		if err != nil {
			return err
		}
		portName, err := nb.PortNamer()
		if err != nil {
			return err
		}
		res := translate.Translate(snap, translate.Options{PortName: portName})
		ctx, cancel := context.WithTimeout(context.Background(), nbTimeout)
		defer cancel()
		c, err := connectNB(ctx, nb)
		if err != nil {
			return err
		}
		defer c.Close()
		out := stickywriter.New(cmd.OutOrStdout())
		for _, p := range missingPorts(ctx, c, snap, portName) {
			out.Printf("pod %s: no logical switch port %s in NB; it joins its port groups on a later sync\n",
				p.pod, p.port)
		}
		if dryRun {
			ops, stats, err := nbsync.Ops(ctx, c, &res.State)
			if err != nil {
				return err
			}
			if err := writeOps(out, ops); err != nil {
				return err
			}
			out.Printf("dry run: %s; nothing written\n", statsText(stats))
			return out.Err()
		}
		stats, err := nbsync.Sync(ctx, c, &res.State)
		if err != nil {
			return err
		}
		out.Printf("synced: %s in one transaction\n", statsText(stats))
		return out.Err()
	}
	in.register(cmd, "manifest file or folder", false)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the OVSDB operations and write nothing")
	return cmd
}

type podPort struct{ pod, port string }

// missingPorts lists the pods that should have a logical switch port, by the controller's naming,
// and have none in NB.
func missingPorts(ctx context.Context, c client.Client, snap *cluster.Snapshot, portName cluster.PortNamer) []podPort {
	var out []podPort
	for _, p := range cluster.NewIndex(snap, portName).Pods() {
		if p.LogicalPort == "" || !p.Selectable() {
			continue
		}
		if err := c.Get(ctx, &nbdb.LogicalSwitchPort{Name: p.LogicalPort}); err != nil {
			out = append(out, podPort{pod: p.Key(), port: p.LogicalPort})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].pod < out[j].pod })
	return out
}

// writeOps prints each operation as OVSDB's JSON, one a line.
func writeOps(w io.Writer, ops []ovsdb.Operation) error {
	for _, op := range ops {
		data, err := json.Marshal(op)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s\n", data); err != nil {
			return err
		}
	}
	return nil
}

func statsText(s nbsync.Stats) string {
	return fmt.Sprintf("%d operations (%d rows created, %d updated, %d deleted, %d set mutations; "+
		"%d addresses added, %d removed)", s.Ops, s.Created, s.Updated, s.Deleted, s.Mutations,
		s.AddressesAdded, s.AddressesRemoved)
}
