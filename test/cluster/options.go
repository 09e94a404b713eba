// Package cluster is the engine of `make cluster-up` and `make cluster-down`: a local Kubernetes cluster
// of real parts to try tieracl on, and for the upstream conformance suite to run against. One background
// supervisor process (Run) starts etcd, kube-apiserver, kube-controller-manager and kube-scheduler
// (test/kube), OVN with its datapath (go-controller/pkg/ovnsandbox), one test/vnode agent per node and
// tieracl-controller, and stops them all on SIGTERM. Up starts it and waits until it is ready; Down stops
// it. Everything lives in one state folder. See docs/e2e.md.
package cluster

import (
	"fmt"
	"os"
	"path/filepath"
)

// Environment variables of the state folder and of the CRD set, the contract with the Makefile and
// the upstream-suite harness.
const (
	StateEnv = "TIERACL_CLUSTER" // the state folder; $TIERACL_CACHE/cluster when unset
	CRDsEnv  = "CLUSTER_CRDS"    // v0.1.7 (default) or v0.3.0
)

// CRD sets.
const (
	CRDsV017 = "v0.1.7" // AdminNetworkPolicy and BaselineAdminNetworkPolicy, dist/crds/v0.1.7
	CRDsV030 = "v0.3.0" // ClusterNetworkPolicy alone, dist/crds
)

// Options configure the cluster.
type Options struct {
	// State is the state folder: kubeconfig, logs, the supervisor's pid, the parts' run folders.
	State string
	// Nodes is how many virtual nodes run; at least 1.
	Nodes int
	// CRDs is the CRD set, CRDsV017 or CRDsV030.
	CRDs string
}

// DefaultOptions reads the environment: TIERACL_CLUSTER, else $TIERACL_CACHE/cluster, else
// ~/.cache/tieracl/cluster; CLUSTER_CRDS, else v0.1.7; two nodes.
func DefaultOptions() (Options, error) {
	o := Options{State: os.Getenv(StateEnv), Nodes: 2, CRDs: os.Getenv(CRDsEnv)}
	if o.State == "" {
		cache := os.Getenv("TIERACL_CACHE")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return o, err
			}
			cache = filepath.Join(home, ".cache", "tieracl")
		}
		o.State = filepath.Join(cache, "cluster")
	}
	if o.CRDs == "" {
		o.CRDs = CRDsV017
	}
	return o, o.check()
}

func (o Options) check() error {
	if o.CRDs != CRDsV017 && o.CRDs != CRDsV030 {
		return fmt.Errorf("%s=%q: want %s or %s", CRDsEnv, o.CRDs, CRDsV017, CRDsV030)
	}
	if o.Nodes < 1 || o.Nodes > 9 {
		return fmt.Errorf("nodes: %d, want 1 to 9", o.Nodes)
	}
	if !filepath.IsAbs(o.State) {
		return fmt.Errorf("state folder %q is not absolute", o.State)
	}
	return nil
}

// Kubeconfig is the file in the state folder that lets kubectl and tests reach the cluster's API server.
func (o Options) Kubeconfig() string { return filepath.Join(o.State, "kubeconfig") }
func (o Options) pidFile() string    { return filepath.Join(o.State, "supervisor.pid") }
func (o Options) readyFile() string  { return filepath.Join(o.State, "ready") }
func (o Options) logFile() string    { return filepath.Join(o.State, "cluster.log") }
func (o Options) binDir() string     { return filepath.Join(o.State, "bin") }

// NodeName is the name of node i (1-based).
func NodeName(i int) string { return fmt.Sprintf("vnode-%d", i) }

// NodeIP is the InternalIP of node i (1-based).
func NodeIP(i int) string { return fmt.Sprintf("172.18.0.%d", 10+i) }

// PodCIDR is the pod address range of node i (1-based).
func PodCIDR(i int) string { return fmt.Sprintf("10.244.%d.0/24", i) }
