package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/e2e"
	"github.com/tieracl/tieracl/test/kube"
	"github.com/tieracl/tieracl/test/testbed"
)

// supervisor is the running cluster.
type supervisor struct {
	o          Options
	log        *log.Logger
	kube       *kube.Cluster
	bed        *ovnsandbox.Bed
	controller *e2e.Controller
	nodes      []*proc
}

// Run is the supervisor: it starts the cluster, writes the kubeconfig and the ready file, and keeps it
// running until ctx ends; then it stops everything it started, newest first. The run folders stay in
// the state folder for their logs until the next Run.
func Run(ctx context.Context, o Options, logger *log.Logger) (err error) {
	if err := o.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(o.State, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(o.pidFile(), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	s := &supervisor{o: o, log: logger}
	defer func() {
		err = errors.Join(err, s.stop())
		_ = os.Remove(o.readyFile())
		_ = os.Remove(o.pidFile())
	}()
	if err := cleanState(o); err != nil {
		return err
	}
	began := time.Now()
	if err := s.start(ctx); err != nil {
		return err
	}
	summary := fmt.Sprintf("cluster up in %v: API server %s, %d nodes, CRDs %s, kubeconfig %s",
		time.Since(began).Round(100*time.Millisecond), s.kube.URL, o.Nodes, o.CRDs, o.Kubeconfig())
	s.log.Print(summary)
	if err := os.WriteFile(o.readyFile(), []byte(summary+"\n"), 0o644); err != nil {
		return err
	}
	<-ctx.Done()
	s.log.Print("stopping")
	return nil
}

// cleanState removes what an earlier run left in the state folder: its run folders, node folders and
// the namespaces of its bed (ovnsandbox.SweepStale), so a run after a crash starts clean.
func cleanState(o Options) error {
	if err := ovnsandbox.SweepStale(o.State); err != nil {
		return err
	}
	for _, pattern := range []string{"tieracl-kube-*", "tieracl-bed-*", "nodes", "controller"} {
		old, err := filepath.Glob(filepath.Join(o.State, pattern))
		if err != nil {
			return err
		}
		for _, dir := range old {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *supervisor) start(ctx context.Context) error {
	began := time.Now()
	files, err := crdFiles(s.o.CRDs)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	var kubeErr, bedErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		s.kube, kubeErr = kube.Start(ctx, kube.Options{Dir: s.o.State, KeepRunDir: true, ControlPlane: true,
			CRDFiles: files})
	}()
	go func() {
		defer wg.Done()
		var root string
		if root, bedErr = testbed.OVN(ctx); bedErr != nil {
			return
		}
		s.bed, bedErr = ovnsandbox.Start(ctx, ovnsandbox.Options{OVN: root, Dir: s.o.State, KeepRunDir: true,
			ProbeBinary: filepath.Join(s.o.binDir(), "tieracl-probe")})
		if bedErr == nil {
			bedErr = s.bed.StartDatapath(ctx)
		}
		if bedErr == nil {
			// The agents add ports to it side by side; made once here, it is never made twice.
			_, bedErr = s.bed.NBCtl(ctx, "--may-exist", "ls-add", ovnsandbox.SwitchName)
		}
	}()
	wg.Wait()
	if err := errors.Join(kubeErr, bedErr); err != nil {
		return err
	}
	s.log.Printf("API server %s (controller-manager, scheduler), OVN bed %s with datapath: %v",
		s.kube.URL, s.bed.Dir, time.Since(began).Round(100*time.Millisecond))
	if err := s.kube.Kubeconfig(s.o.Kubeconfig()); err != nil {
		return err
	}
	if err := s.startController(ctx); err != nil {
		return err
	}
	return s.startNodes(ctx)
}

// startController applies dist/'s namespace, ServiceAccount and RBAC and runs tieracl-controller with
// that ServiceAccount's token, from a token Secret the token controller fills (it does not expire).
func (s *supervisor) startController(ctx context.Context) error {
	began := time.Now()
	cfg := s.kube.RESTConfig()
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	if _, err := e2e.ApplyDist(ctx, client.Discovery(), dyn); err != nil {
		return err
	}
	token, err := serviceAccountToken(ctx, client, e2e.ControllerNamespace, e2e.ControllerSA)
	if err != nil {
		return err
	}
	dir := filepath.Join(s.o.State, "controller")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := s.kube.KubeconfigForToken(kubeconfig, token); err != nil {
		return err
	}
	if s.controller, err = e2e.NewController(filepath.Join(s.o.binDir(), "tieracl-controller"), dir, kubeconfig,
		s.bed.NBSocket()); err != nil {
		return err
	}
	if err := s.controller.Start(); err != nil {
		return err
	}
	// The address of its /metrics, /healthz and /readyz, for tools that read its metrics after a run.
	if err := os.WriteFile(filepath.Join(dir, "listen-address"), []byte(s.controller.Listen+"\n"), 0o644); err != nil {
		return err
	}
	if err := s.controller.WaitReadyz(ctx, 200, e2e.Leading, 90*time.Second); err != nil {
		return err
	}
	s.log.Printf("tieracl-controller ready (%s): %v", s.controller.LogFile(),
		time.Since(began).Round(100*time.Millisecond))
	return nil
}

// serviceAccountToken creates a kubernetes.io/service-account-token Secret for the ServiceAccount and
// waits until the token controller has filled it.
func serviceAccountToken(ctx context.Context, client kubernetes.Interface, ns, sa string) (string, error) {
	name := sa + "-token"
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns,
		Annotations: map[string]string{corev1.ServiceAccountNameKey: sa}}, Type: corev1.SecretTypeServiceAccountToken}
	if _, err := client.CoreV1().Secrets(ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil &&
		!apierrors.IsAlreadyExists(err) {
		return "", err
	}
	var token string
	filled := func(ctx context.Context) (bool, error) {
		got, err := client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		token = string(got.Data[corev1.ServiceAccountTokenKey])
		return token != "", nil
	}
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, filled); err != nil {
		return "", fmt.Errorf("token controller did not fill secret %s/%s: %w", ns, name, err)
	}
	return token, nil
}

// startNodes starts one tieracl-vnode per node and waits until every Node is Ready.
func (s *supervisor) startNodes(ctx context.Context) error {
	began := time.Now()
	handle, err := s.bed.Handle()
	if err != nil {
		return err
	}
	bed, err := json.Marshal(handle)
	if err != nil {
		return err
	}
	agnhost := s.kube.Bin("agnhost")
	for i := 1; i <= s.o.Nodes; i++ {
		name := NodeName(i)
		dir := filepath.Join(s.o.State, "nodes", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		cert, key := filepath.Join(dir, "kubelet.crt"), filepath.Join(dir, "kubelet.key")
		if err := s.kube.IssueCert(cert, key, kube.CertRequest{CommonName: name,
			IPs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, DNSNames: []string{"localhost"}}); err != nil {
			return err
		}
		port, err := freePort()
		if err != nil {
			return err
		}
		p, err := startProc(name, filepath.Join(dir, "agent.log"), filepath.Join(s.o.binDir(), "tieracl-vnode"),
			"--kubeconfig="+s.o.Kubeconfig(), "--node-name="+name, "--node-ip="+NodeIP(i), "--pod-cidr="+PodCIDR(i),
			"--bed="+string(bed), "--bed-prefix=n"+strconv.Itoa(i), "--state-dir="+dir, "--agnhost="+agnhost,
			"--listen=127.0.0.1:"+strconv.Itoa(port), "--tls-cert-file="+cert, "--tls-private-key-file="+key,
			"--client-ca-file="+s.kube.KubeletCAFile())
		if err != nil {
			return err
		}
		s.nodes = append(s.nodes, p)
	}
	client, err := kubernetes.NewForConfig(s.kube.RESTConfig())
	if err != nil {
		return err
	}
	for i, p := range s.nodes {
		if err := waitNodeReady(ctx, client, NodeName(i+1), p, 60*time.Second); err != nil {
			return err
		}
	}
	s.log.Printf("%d nodes Ready: %v", len(s.nodes), time.Since(began).Round(100*time.Millisecond))
	return nil
}

func waitNodeReady(ctx context.Context, client kubernetes.Interface, name string, p *proc,
	timeout time.Duration) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if !p.running() {
			return false, fmt.Errorf("node agent %s exited (%v):\n%s", name, p.waitErr, ovnsandbox.TailFile(p.log, 20))
		}
		node, err := client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
				return true, nil
			}
		}
		last = "not Ready yet"
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("node %s: %w (last: %s)\n%s", name, err, last, ovnsandbox.TailFile(p.log, 20))
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }() // only the port number was wanted
	return l.Addr().(*net.TCPAddr).Port, nil
}

// stop stops the nodes (each removes its pods' namespaces and ports), the controller, OVN and the API
// server.
func (s *supervisor) stop() error {
	var errs []error
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, p := range s.nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := p.stop(60 * time.Second)
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if s.controller != nil {
		errs = append(errs, s.controller.Stop())
	}
	if s.bed != nil {
		errs = append(errs, s.bed.Stop())
	}
	if s.kube != nil {
		errs = append(errs, s.kube.Stop())
	}
	return errors.Join(errs...)
}
