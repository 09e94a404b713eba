// Command tieracl-vnode is one virtual node of the test cluster (package test/vnode): it registers a
// Node, runs the pods bound to it on the OVN bed, and serves the kubelet API. test/cluster starts one
// per node; it enters containers with tieracl-vnode-init, by default the one next to it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/vnode"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tieracl-vnode:", err)
		os.Exit(1)
	}
}

func run() error {
	var cfg vnode.Config
	var kubeconfig, nodeIP, podCIDR, bed, labels string
	flag.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of the API server")
	flag.StringVar(&cfg.NodeName, "node-name", "", "the Node's name")
	flag.StringVar(&nodeIP, "node-ip", "", "the node's InternalIP on the OVN switch")
	flag.StringVar(&podCIDR, "pod-cidr", "", "the node's pod CIDR")
	flag.StringVar(&bed, "bed", "", "the OVN bed's handle, as JSON (ovnsandbox.Handle)")
	flag.StringVar(&cfg.BedPrefix, "bed-prefix", "", "this node's name prefix on the bed (1-6 of [a-z0-9])")
	flag.StringVar(&cfg.StateDir, "state-dir", "", "folder for pods' roots and logs")
	flag.StringVar(&cfg.Agnhost, "agnhost", "", "the agnhost binary")
	flag.StringVar(&cfg.Init, "init", "", "tieracl-vnode-init; by default next to this binary")
	flag.StringVar(&cfg.Listen, "listen", "", "kubelet API address, 127.0.0.1:<port>")
	flag.StringVar(&cfg.CertFile, "tls-cert-file", "", "kubelet API serving certificate")
	flag.StringVar(&cfg.KeyFile, "tls-private-key-file", "", "kubelet API serving key")
	flag.StringVar(&cfg.ClientCAFile, "client-ca-file", "", "CA of the kubelet API's clients")
	flag.StringVar(&labels, "node-labels", "", "more Node labels, k=v,k=v")
	flag.Parse()
	var err error
	if cfg.NodeIP, err = netip.ParseAddr(nodeIP); err != nil {
		return fmt.Errorf("--node-ip: %w", err)
	}
	if cfg.PodCIDR, err = netip.ParsePrefix(podCIDR); err != nil {
		return fmt.Errorf("--pod-cidr: %w", err)
	}
	var h ovnsandbox.Handle
	if err := json.Unmarshal([]byte(bed), &h); err != nil {
		return fmt.Errorf("--bed: %w", err)
	}
	cfg.Bed = h
	if cfg.Init == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		cfg.Init = filepath.Join(filepath.Dir(self), "tieracl-vnode-init")
	}
	cfg.Labels = map[string]string{}
	for _, kv := range strings.Split(labels, ",") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			cfg.Labels[k] = v
		}
	}
	rest, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	rest.QPS, rest.Burst = 50, 100
	client, err := kubernetes.NewForConfig(rest)
	if err != nil {
		return err
	}
	agent, err := vnode.New(cfg, client, log.New(os.Stderr, cfg.NodeName+" ", log.Ltime|log.Lmicroseconds))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return agent.Run(ctx)
}
