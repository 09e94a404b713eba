// Command tieracl-cluster runs the local test cluster (package test/cluster):
//
//	tieracl-cluster up      # start it in the background; prints `export KUBECONFIG=...` last
//	tieracl-cluster down    # stop everything it started (idempotent)
//	tieracl-cluster status  # tell whether it runs
//
// The state folder is $TIERACL_CLUSTER, else $TIERACL_CACHE/cluster; $CLUSTER_CRDS picks the CRDs
// (v0.1.7, the default, or v0.3.0). `run` is the supervisor that `up` starts.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tieracl/tieracl/test/cluster"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tieracl-cluster:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: tieracl-cluster up|down|status|run [flags]")
	}
	o, err := cluster.DefaultOptions()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ContinueOnError)
	fs.StringVar(&o.State, "state", o.State, "state folder")
	fs.IntVar(&o.Nodes, "nodes", o.Nodes, "number of virtual nodes")
	fs.StringVar(&o.CRDs, "crds", o.CRDs, "CRD set: v0.1.7 or v0.3.0")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long up waits for the cluster")
	if err := fs.Parse(os.Args[2:]); err != nil {
		return err
	}
	switch os.Args[1] {
	case "up":
		began := time.Now()
		if err := cluster.Up(context.Background(), o, *timeout); err != nil {
			return err
		}
		summary, _ := cluster.Ready(o)
		fmt.Printf("%s (this command: %v)\n", summary, time.Since(began).Round(100*time.Millisecond))
		fmt.Printf("export KUBECONFIG=%s\n", o.Kubeconfig())
	case "down":
		if err := cluster.Down(o, 2*time.Minute); err != nil {
			return err
		}
		fmt.Println("cluster down")
	case "status":
		summary, ok := cluster.Ready(o)
		if !ok {
			return fmt.Errorf("no cluster runs in %s", o.State)
		}
		fmt.Println(summary)
	case cluster.RunCommand:
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		defer stop()
		return cluster.Run(ctx, o, log.New(os.Stderr, "", log.Ltime|log.Lmicroseconds))
	default:
		return fmt.Errorf("unknown command %q", os.Args[1])
	}
	return nil
}
