package vnode

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
)

// Config is one virtual node.
type Config struct {
	// NodeName is the Node's name and its kubernetes.io/hostname label.
	NodeName string
	// NodeIP is the node's InternalIP: its host stack's address on the OVN switch.
	NodeIP netip.Addr
	// PodCIDR is where the node's pod addresses come from; it is also the Node's spec.podCIDR.
	PodCIDR netip.Prefix
	// Bed is the running OVN bed to wire endpoints into, and BedPrefix this node's names on it (see
	// ovnsandbox.Attach).
	Bed       ovnsandbox.Handle
	BedPrefix string
	// StateDir holds the pods' root folders, /tmp folders and container logs.
	StateDir string
	// Agnhost is the agnhost binary every container runs as its image; Init is tieracl-vnode-init,
	// which enters a container.
	Agnhost, Init string
	// Listen is the kubelet API's address, 127.0.0.1:<port>; it is the Node's kubeletEndpoint.
	Listen string
	// CertFile and KeyFile are the kubelet API's serving certificate; ClientCAFile the CA its clients
	// (kube-apiserver) present certificates of.
	CertFile, KeyFile, ClientCAFile string
	// Labels are added to the Node's own.
	Labels map[string]string
}

// Agent is a running virtual node.
type Agent struct {
	cfg    Config
	client kubernetes.Interface
	log    *log.Logger
	bed    *ovnsandbox.Bed
	bedMu  sync.Mutex // the attached bed serves one goroutine at a time

	factory informers.SharedInformerFactory
	pods    corelisters.PodLister
	queue   workqueue.TypedRateLimitingInterface[string]
	ipam    *ipam
	sctp    bool // the kernel has SCTP

	mu      sync.Mutex
	running map[string]*podRun // "<namespace>/<name>" -> the pod this agent runs
}

// New prepares an agent; Run starts it.
func New(cfg Config, client kubernetes.Interface, logger *log.Logger) (*Agent, error) {
	if cfg.NodeName == "" || !cfg.NodeIP.IsValid() || !cfg.PodCIDR.IsValid() {
		return nil, errors.New("vnode: node name, node IP and pod CIDR are required")
	}
	for _, f := range []string{cfg.Agnhost, cfg.Init, cfg.CertFile, cfg.KeyFile, cfg.ClientCAFile} {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("vnode: %w", err)
		}
	}
	bed, err := ovnsandbox.Attach(cfg.Bed, cfg.BedPrefix)
	if err != nil {
		return nil, err
	}
	f := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", cfg.NodeName).String()
		}))
	a := &Agent{cfg: cfg, client: client, log: logger, bed: bed, factory: f,
		pods: f.Core().V1().Pods().Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](100*time.Millisecond, 5*time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "vnode-" + cfg.NodeName}),
		ipam: newIPAM(cfg.PodCIDR, cfg.NodeIP), sctp: kernelHasSCTP(), running: map[string]*podRun{}}
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			a.queue.Add(key)
		}
	}
	_, err = f.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: enqueue, UpdateFunc: func(_, obj any) { enqueue(obj) }, DeleteFunc: enqueue})
	return a, err
}

// Run registers the node, starts the kubelet API, the heartbeats and the pod worker, and blocks until
// ctx ends; then it stops every pod's processes and removes their namespaces and ports (the pods stay
// in the API, as they do when a kubelet stops).
func (a *Agent) Run(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Join(a.cfg.StateDir, "pods"), 0o755); err != nil {
		return err
	}
	if err := a.wireNode(ctx); err != nil {
		return err
	}
	srv, err := a.serve()
	if err != nil {
		return err
	}
	if err := a.register(ctx); err != nil {
		return err
	}
	go a.heartbeat(ctx)
	a.factory.Start(ctx.Done())
	for typ, ok := range a.factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("vnode: %v informer did not sync", typ)
		}
	}
	go a.work(ctx)
	a.log.Printf("node %s ready: %s, pods from %s, kubelet API on %s", a.cfg.NodeName, a.cfg.NodeIP,
		a.cfg.PodCIDR, a.cfg.Listen)
	<-ctx.Done()
	a.queue.ShutDown()
	var errs []error
	errs = append(errs, srv.Close())
	a.mu.Lock()
	runs := a.running
	a.running = map[string]*podRun{}
	a.mu.Unlock()
	for _, r := range runs {
		r.stop(5 * time.Second)
	}
	a.bedMu.Lock()
	errs = append(errs, a.bed.Stop())
	a.bedMu.Unlock()
	return errors.Join(errs...)
}

func (a *Agent) work(ctx context.Context) {
	for {
		key, quit := a.queue.Get()
		if quit {
			return
		}
		if err := a.sync(ctx, key); err != nil && ctx.Err() == nil {
			a.log.Printf("pod %s: %v (retrying)", key, err)
			a.queue.AddRateLimited(key)
		} else {
			a.queue.Forget(key)
		}
		a.queue.Done(key)
	}
}

// nodeKey is the attached bed's key of the node's host-stack namespace.
func (a *Agent) nodeKey() string { return "node/" + a.cfg.NodeName }

// wireNode gives the node's host stack its port and namespace, where host-network pods run.
func (a *Agent) wireNode(ctx context.Context) error {
	node := &corev1.Node{}
	node.Name = a.cfg.NodeName
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: a.cfg.NodeIP.String()}}
	a.bedMu.Lock()
	defer a.bedMu.Unlock()
	if _, err := a.bed.ApplyTopology(ctx, snapshotOf(node)); err != nil {
		return err
	}
	n, err := a.bed.AddNodeNamespace(ctx, a.cfg.NodeName)
	if err != nil {
		return err
	}
	// Host-network pods listen on fixed ports from 20000 up (the conformance suites' 34345-36364 among
	// them); the node's own outgoing connections must not take those as their ephemeral ports.
	_, err = a.bed.Exec(ctx, n, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range="+EphemeralPorts)
	return err
}

// EphemeralPorts is the local port range of a node's namespace, clear of the host-network pods' ports.
const EphemeralPorts = "40000 60999"
