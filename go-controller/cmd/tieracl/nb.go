package main

import (
	"context"
	"flag"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbconn"
	"github.com/tieracl/tieracl/go-controller/pkg/nbread"
)

// nbTimeout bounds connecting to NB and one command's reads and writes.
const nbTimeout = 30 * time.Second

// addNBFlags adds the controller's NB flags to cmd, --nb-address also as --nb.
func addNBFlags(cmd *cobra.Command) *nbconn.Flags {
	f := nbconn.Defaults()
	fs := flag.NewFlagSet(cmd.Name(), flag.ContinueOnError)
	f.Register(fs, "nb")
	cmd.Flags().AddGoFlagSet(fs)
	return &f
}

// connectNB connects once, without the controller's retries: a CLI should say at once that NB is not
// there.
func connectNB(ctx context.Context, f *nbconn.Flags) (client.Client, error) {
	cctx, cancel := context.WithTimeout(ctx, nbTimeout)
	defer cancel()
	return f.Connect(cctx)
}

// readNB connects, reads the whole NB and disconnects.
func readNB(ctx context.Context, f *nbconn.Flags) (*nbread.NB, error) {
	c, err := connectNB(ctx, f)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return nbread.Read(ctx, c)
}

// liveNB reports whether the command was given an NB to read: commands that also work on files alone
// then read the cluster's objects unless -f is given.
func liveNB(cmd *cobra.Command) bool {
	return cmd.Flags().Changed("nb") || cmd.Flags().Changed("nb-address")
}

// loadWithNB reads the objects of a command that can read NB, and compiles the port naming; with an NB
// given and no -f the objects come from the cluster. live reports whether an NB was given.
func loadWithNB(cmd *cobra.Command, args []string, in *inputs, nb *nbconn.Flags) (
	snap *cluster.Snapshot, portName cluster.PortNamer, live bool, err error) {
	live = liveNB(cmd)
	in.cluster = in.cluster || live
	if portName, err = nb.PortNamer(); err != nil {
		return nil, nil, false, err
	}
	if snap, err = in.load(cmd, args); err != nil {
		return nil, nil, false, err
	}
	return snap, portName, live, nil
}
