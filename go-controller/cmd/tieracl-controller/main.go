// Command tieracl-controller keeps an OVN Northbound database in step with the cluster's
// AdminNetworkPolicies, BaselineAdminNetworkPolicy and NetworkPolicies. docs/operating.md lists its flags,
// metrics, status conditions and events.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"k8s.io/klog/v2"
)

func main() {
	opts := defaultOptions()
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	opts.register(fs)
	klog.InitFlags(fs)
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "unexpected arguments: %v\n", fs.Args())
		os.Exit(2)
	}
	config := []any{"version", versionString(), "go", runtime.Version()}
	fs.VisitAll(func(f *flag.Flag) { config = append(config, f.Name, f.Value.String()) })
	klog.InfoS("tieracl-controller starting with this configuration", config...)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	err := run(ctx, opts)
	klog.Flush()
	switch {
	case errors.Is(err, errLostLease):
		klog.ErrorS(err, "exiting so that a restart begins clean")
		os.Exit(1)
	case err != nil:
		klog.ErrorS(err, "tieracl-controller failed")
		os.Exit(1)
	}
}
