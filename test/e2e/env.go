package e2e

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	npclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/kube"
	"github.com/tieracl/tieracl/test/testbed"
)

// KeepEnv names the environment variable that, set to anything but "" or "0", keeps every run folder
// (the e2e's, the API server's and the bed's) after the run, passed or failed. A failed run keeps them
// anyway.
const KeepEnv = "TIERACL_E2E_KEEP"

// Env is one running end-to-end environment.
type Env struct {
	// Dir is the run folder: the controller binary and its logs (controller-<run>.log), the agent's log,
	// the kubeconfigs, and the API server's run folder (tieracl-kube-*).
	Dir  string
	Kube *kube.Cluster
	Bed  *ovnsandbox.Bed
	// BedMu serializes the bed's use between the agent and the tests (ovnsandbox.Bed serves one goroutine
	// at a time); hold it while probing.
	BedMu sync.Mutex

	Admin   kubernetes.Interface // system:masters, for the tests and the agent
	Policy  npclient.Interface   // admin, for ANPs and BANPs
	Dynamic dynamic.Interface    // admin
	Agent   *Agent
	// Controller is tieracl-controller, run with the ServiceAccount tieracl/tieracl-controller's token.
	Controller *Controller
	// Cluster is the transcribed conformance cluster as created; Pods its pods' keys.
	Cluster *cluster.Snapshot
	Pods    []string
	// Applied are the objects of dist/ created, "Kind namespace/name" each.
	Applied []string
	// Steps are the start-up steps and how long each took, in order.
	Steps []Step

	cancel  context.CancelFunc
	agentLg *os.File
	keep    bool
}

// Step is one timed part of Start.
type Step struct {
	Name string
	Took time.Duration
}

// ControllerSA is the controller's ServiceAccount, from dist/serviceaccount.yaml.
const (
	ControllerNamespace = "tieracl"
	ControllerSA        = "tieracl-controller"
)

// Start brings everything up: it builds tieracl-controller while the API server and the OVN bed with its
// datapath start, applies dist/'s namespace, ServiceAccount and RBAC, writes a kubeconfig with the
// ServiceAccount's token, starts the agent and the controller, waits for /readyz, then creates the
// transcribed conformance cluster (namespaces, nodes, pods) and waits until the agent has wired every pod.
// On error everything started is stopped, unless the run folders are to be kept.
func Start(ctx context.Context) (_ *Env, err error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("the e2e needs root: the bed's pods are network namespaces")
	}
	dir, err := os.MkdirTemp("", "tieracl-e2e-")
	if err != nil {
		return nil, err
	}
	keep := os.Getenv(KeepEnv) != "" && os.Getenv(KeepEnv) != "0"
	e := &Env{Dir: dir, keep: keep}
	defer func() {
		if err != nil {
			e.KeepRunDir()
			err = fmt.Errorf("%w\nrun folder %s kept\n%s", err, dir, e.Logs(20))
			err = errors.Join(err, e.Stop())
		}
	}()
	step := func(name string, began time.Time) { e.Steps = append(e.Steps, Step{name, time.Since(began)}) }

	// The three slow parts side by side.
	began := time.Now()
	var wg sync.WaitGroup
	var binary string
	var buildErr, kubeErr, bedErr error
	wg.Add(3)
	go func() {
		defer wg.Done()
		binary, buildErr = BuildController(ctx, dir)
	}()
	go func() {
		defer wg.Done()
		e.Kube, kubeErr = kube.Start(ctx, kube.Options{Dir: dir})
	}()
	go func() {
		defer wg.Done()
		// The bed's run folder stays in the temporary folder, where ovnsandbox.SweepStale finds the
		// namespaces of a bed whose test was killed.
		var parts testbed.Parts
		if parts, bedErr = testbed.Get(ctx); bedErr != nil {
			return
		}
		e.Bed, bedErr = ovnsandbox.Start(ctx, ovnsandbox.Options{OVN: parts.OVN, ProbeBinary: parts.ProbeBinary})
		if bedErr == nil {
			bedErr = e.Bed.StartDatapath(ctx)
		}
	}()
	wg.Wait()
	if err := errors.Join(buildErr, kubeErr, bedErr); err != nil {
		return nil, err
	}
	step("build controller, start API server and OVN bed with datapath (in parallel)", began)

	began = time.Now()
	cfg := e.Kube.RESTConfig()
	if e.Admin, err = kubernetes.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if e.Policy, err = npclient.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if e.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if e.Applied, err = ApplyDist(ctx, e.Admin.Discovery(), e.Dynamic); err != nil {
		return nil, err
	}
	token, err := e.Kube.TokenFor(ctx, ControllerNamespace, ControllerSA)
	if err != nil {
		return nil, err
	}
	kubeconfig := filepath.Join(dir, "controller.kubeconfig")
	if err := e.Kube.KubeconfigForToken(kubeconfig, token); err != nil {
		return nil, err
	}
	if err := e.Kube.Kubeconfig(filepath.Join(dir, "admin.kubeconfig")); err != nil {
		return nil, err
	}
	step(fmt.Sprintf("apply dist/ manifests (%d objects), ServiceAccount token and kubeconfig", len(e.Applied)), began)

	began = time.Now()
	runCtx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	if e.agentLg, err = os.Create(filepath.Join(dir, "agent.log")); err != nil {
		return nil, err
	}
	e.Agent = NewAgent(e.Admin, e.Bed, &e.BedMu, log.New(e.agentLg, "", log.Ltime|log.Lmicroseconds))
	if err := e.Agent.Run(runCtx); err != nil {
		return nil, err
	}
	if e.Controller, err = NewController(binary, dir, kubeconfig, e.Bed.NBSocket()); err != nil {
		return nil, err
	}
	if err := e.Controller.Start(); err != nil {
		return nil, err
	}
	if err := e.Controller.WaitReadyz(ctx, 200, Leading, 60*time.Second); err != nil {
		return nil, err
	}
	step("start agent and controller, /readyz 200 leading", began)

	began = time.Now()
	if e.Cluster, err = ConformanceCluster(); err != nil {
		return nil, err
	}
	serve, err := ProbedPorts(e.Cluster)
	if err != nil {
		return nil, err
	}
	if e.Pods, err = CreateCluster(ctx, e.Admin, e.Cluster, serve); err != nil {
		return nil, err
	}
	if err := e.Agent.WaitPods(ctx, 2*time.Minute, e.Pods...); err != nil {
		return nil, err
	}
	step(fmt.Sprintf("create the conformance cluster, agent wires %d pods", len(e.Pods)), began)
	return e, nil
}

// KeepRunDir keeps every run folder after Stop.
func (e *Env) KeepRunDir() {
	e.keep = true
	if e.Kube != nil {
		e.Kube.KeepRunDir()
	}
	if e.Bed != nil {
		e.Bed.KeepRunDir()
	}
}

// Kept tells whether Stop leaves the run folders.
func (e *Env) Kept() bool { return e.keep }

// Folders names the run folders: the e2e's, the API server's, the bed's.
func (e *Env) Folders() string {
	parts := []string{"e2e " + e.Dir}
	if e.Kube != nil {
		parts = append(parts, "kube "+e.Kube.Dir)
	}
	if e.Bed != nil {
		parts = append(parts, "bed "+e.Bed.Dir)
	}
	return strings.Join(parts, ", ")
}

// Logs returns the last lines of the controller's, the agent's, the bed's daemons' and the API server's
// logs.
func (e *Env) Logs(lines int) string {
	var b strings.Builder
	if e.Controller != nil {
		b.WriteString(e.Controller.Logs(lines) + "\n")
	}
	if e.agentLg != nil {
		fmt.Fprintf(&b, "==> %s <==\n%s\n", e.agentLg.Name(), ovnsandbox.TailFile(e.agentLg.Name(), lines))
	}
	if e.Bed != nil {
		b.WriteString(e.Bed.Logs(lines))
	}
	if e.Kube != nil {
		b.WriteString(e.Kube.Logs(lines))
	}
	return b.String()
}

// Stop stops the controller, the agent, the bed and the API server, and removes the run folders unless
// they are kept.
func (e *Env) Stop() error {
	if e.keep {
		e.KeepRunDir()
	}
	var errs []error
	if e.Controller != nil {
		errs = append(errs, e.Controller.Stop())
	}
	if e.cancel != nil {
		e.cancel()
	}
	if e.Bed != nil {
		e.BedMu.Lock() // the agent, its context canceled, finishes what it does with the bed
		errs = append(errs, e.Bed.Stop())
		e.BedMu.Unlock()
	}
	if e.Kube != nil {
		errs = append(errs, e.Kube.Stop())
	}
	if e.agentLg != nil {
		errs = append(errs, e.agentLg.Close())
	}
	if err := errors.Join(errs...); err != nil {
		e.keep = true
		return err
	}
	if !e.keep {
		return os.RemoveAll(e.Dir)
	}
	return nil
}
