// Package kube runs a real etcd and kube-apiserver on loopback, built from Go modules by
// test/kube/build.sh, with the AdminNetworkPolicy and BaselineAdminNetworkPolicy CRDs installed, so tests
// can drive the controller through a real API server; on demand also kube-controller-manager and
// kube-scheduler, for a cluster whose nodes are test/vnode agents. See docs/e2e.md.
package kube

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Options configure Start. The zero value is usable.
type Options struct {
	// Dir is where the cluster's run folder is made; os.TempDir() when empty.
	Dir string
	// KeepRunDir leaves the run folder (etcd data, certificates, logs) in place after Stop.
	KeepRunDir bool
	// BinDir holds kube-apiserver and etcd; when empty, $TIERACL_KUBE_BIN, else test/kube/build.sh.
	BinDir string
	// ControlPlane also starts kube-controller-manager (the controllers in Controllers) and kube-scheduler.
	ControlPlane bool
	// CRDFiles are the CRD manifests to install; when empty, the bundles in CRDs.
	CRDFiles []string
	// CRDs are the CRD bundles to install (CRDsV030, CRDsV017); DefaultCRDs, both, when empty. The
	// v0.3.0 conformance suite wants only its own bundle installed.
	CRDs []string
}

// Cluster is one running etcd and kube-apiserver.
type Cluster struct {
	// Dir is the run folder: etcd data, certificates, token file, logs.
	Dir string
	// URL is the API server's address, https://127.0.0.1:<port>.
	URL string
	// EtcdURL is etcd's client address, http://127.0.0.1:<port>.
	EtcdURL string

	opts       Options
	binDir     string
	adminToken string
	apiPort    int
	mu         sync.Mutex
	processes  []*process
	stopped    bool
}

// Start runs etcd, then kube-apiserver, waits for /readyz, and installs the CRD bundles. On error
// everything started is stopped and the error carries the end of the failing process's log.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	binDir, err := BinDir(ctx, opts.BinDir)
	if err != nil {
		return nil, err
	}
	parent := opts.Dir
	if parent == "" {
		parent = os.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "tieracl-kube-")
	if err != nil {
		return nil, err
	}
	// Not the named result: `return nil, err` would clear it before the deferred Stop runs.
	c := &Cluster{Dir: dir, opts: opts, binDir: binDir}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop())
		}
	}()
	if err := c.writePKI(); err != nil {
		return nil, err
	}
	if err := c.writeCredentials(); err != nil {
		return nil, err
	}
	if err := c.startEtcd(ctx); err != nil {
		return nil, err
	}
	if err := c.startAPIServer(ctx); err != nil {
		return nil, err
	}
	if opts.ControlPlane {
		if err := c.startControlPlane(ctx); err != nil {
			return nil, err
		}
	}
	if err := c.installCRDs(ctx); err != nil {
		return nil, fmt.Errorf("installing CRDs: %w\n%s", err, c.Logs(20))
	}
	return c, nil
}

// launch starts binary with the arguments args makes for fresh free ports and waits until ready passes
// for them. A process that died because one of its ports was taken in between is started again.
func (c *Cluster) launch(ctx context.Context, name string, nPorts int, timeout time.Duration,
	args func(ports []int) []string, ready func(ports []int) error) ([]int, error) {
	for attempt := 1; ; attempt++ {
		ports, err := freePorts(nPorts)
		if err != nil {
			return nil, err
		}
		p, err := startProcess(c.Dir, name, filepath.Join(c.binDir, name), args(ports)...)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.processes = append(c.processes, p)
		c.mu.Unlock()
		err = p.waitReady(ctx, timeout, func() error { return ready(ports) })
		if err == nil || attempt == 3 || !p.portTaken() {
			return ports, err
		}
	}
}

func (c *Cluster) startEtcd(ctx context.Context) error {
	args := func(ports []int) []string {
		client, peer := "http://127.0.0.1:"+strconv.Itoa(ports[0]), "http://127.0.0.1:"+strconv.Itoa(ports[1])
		return []string{"--name=test", "--data-dir=" + filepath.Join(c.Dir, "etcd"),
			"--listen-client-urls=" + client, "--advertise-client-urls=" + client,
			"--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
			"--initial-cluster=test=" + peer,
			// A test cluster's data is thrown away: no fsync keeps it fast on a busy disk.
			"--unsafe-no-fsync"}
	}
	ready := func(ports []int) error {
		return httpOK(ctx, http.DefaultClient, "http://127.0.0.1:"+strconv.Itoa(ports[0])+"/health")
	}
	ports, err := c.launch(ctx, "etcd", 2, 30*time.Second, args, ready)
	if err != nil {
		return err
	}
	c.EtcdURL = "http://127.0.0.1:" + strconv.Itoa(ports[0])
	return nil
}

func (c *Cluster) startAPIServer(ctx context.Context) error {
	ready := func(ports []int) error {
		c.URL = "https://127.0.0.1:" + strconv.Itoa(ports[0])
		return c.apiServerReady(ctx)
	}
	ports, err := c.launch(ctx, "kube-apiserver", 1, 90*time.Second, c.apiServerArgs, ready)
	if err == nil {
		c.apiPort = ports[0]
	}
	return err
}

func (c *Cluster) apiServerArgs(ports []int) []string {
	clientCert, clientKey := c.kubeletClientCert()
	return []string{"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[0]),
		"--cert-dir=" + c.certDir(),
		"--etcd-servers=" + c.EtcdURL,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-signing-key-file=" + c.saKeyFile(),
		"--service-account-key-file=" + c.saKeyFile(),
		"--token-auth-file=" + c.tokenFile(),
		"--authorization-mode=RBAC",
		// pods/exec and pods/log go to the node agent's kubelet API, at the node's Hostname address
		// (localhost: the agents listen on loopback ports), verified with the cluster's CA.
		"--kubelet-client-certificate=" + clientCert, "--kubelet-client-key=" + clientKey,
		"--kubelet-certificate-authority=" + c.caCertFile(),
		"--kubelet-preferred-address-types=Hostname",
		// Pods get no ServiceAccount token volume: the node agents mount no volumes, and pods made
		// right after their namespace need not wait for its default ServiceAccount.
		"--disable-admission-plugins=ServiceAccount",
		"--service-cluster-ip-range=10.96.0.0/16",
		// No node serves the kubernetes Service, and nothing else should write its Endpoints.
		"--endpoint-reconciler-type=none"}
}

func (c *Cluster) apiServerReady(ctx context.Context) error {
	client, err := c.httpClient()
	if err != nil {
		return err
	}
	return httpOK(ctx, client, c.URL+"/readyz")
}

// StopAPIServer kills kube-apiserver with SIGKILL, as a crash or a lost control-plane node would end
// it: every client's connection drops at once. etcd keeps running; StartAPIServer brings the API back
// on the same address.
func (c *Cluster) StopAPIServer() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, err := c.apiServer()
	if err != nil {
		return err
	}
	select {
	case <-p.exited:
		return errors.New("kube: kube-apiserver is not running")
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	return nil
}

// StartAPIServer starts kube-apiserver again after StopAPIServer, on the same port, certificates and
// etcd, and waits until it is ready.
func (c *Cluster) StartAPIServer(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, err := c.apiServer()
	if err != nil {
		return err
	}
	select {
	case <-old.exited:
	default:
		return errors.New("kube: kube-apiserver is still running")
	}
	p, err := startProcess(c.Dir, "kube-apiserver", filepath.Join(c.binDir, "kube-apiserver"),
		c.apiServerArgs([]int{c.apiPort})...)
	if err != nil {
		return err
	}
	for i := range c.processes {
		if c.processes[i] == old {
			c.processes[i] = p
		}
	}
	return p.waitReady(ctx, 90*time.Second, func() error { return c.apiServerReady(ctx) })
}

func (c *Cluster) apiServer() (*process, error) {
	if c.stopped {
		return nil, errors.New("kube: the cluster is stopped")
	}
	// The last one: launch keeps the processes that lost their port too.
	for i := len(c.processes) - 1; i >= 0; i-- {
		if c.processes[i].name == "kube-apiserver" {
			return c.processes[i], nil
		}
	}
	return nil, errors.New("kube: no kube-apiserver")
}

// Stop stops kube-apiserver, then etcd, and removes the run folder unless Options.KeepRunDir or
// KeepRunDir was called. It is safe to call more than once.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	c.stopped = true
	var errs []error
	for i := len(c.processes) - 1; i >= 0; i-- {
		errs = append(errs, c.processes[i].stop(20*time.Second))
	}
	err := errors.Join(errs...)
	if err == nil && !c.opts.KeepRunDir {
		err = os.RemoveAll(c.Dir)
	}
	if err != nil {
		return fmt.Errorf("stopping the kube cluster (run folder %s): %w", c.Dir, err)
	}
	return nil
}

// KeepRunDir makes Stop leave the run folder in place, e.g. once a test has failed.
func (c *Cluster) KeepRunDir() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opts.KeepRunDir = true
}

// Logs returns the last lines of etcd's and kube-apiserver's logs, for failure messages.
func (c *Cluster) Logs(lines int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := ""
	for _, p := range c.processes {
		out += p.tail(lines) + "\n"
	}
	return out
}
