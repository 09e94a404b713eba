package e2e

import (
	"context"
	"fmt"
	"log"
	"net/netip"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// AnnotationPodIPs asks the agent for a pod's addresses, comma-separated, IPv4 first, as a CNI's static
// IP annotation would; the e2e sets it to the transcribed cluster's status.podIPs so the policy test
// files' probes, which resolve to those addresses, stay valid.
const AnnotationPodIPs = "e2e.tieracl.io/pod-ips"

// poolStart is the first host number the agent hands out from a node's pod CIDRs, clear of the
// transcribed cluster's addresses (.11 to .14).
const poolStart = 100

// Agent stands in for every node's kubelet and CNI. It watches Nodes and Pods through the API and, for
// each node with addresses, makes its node port (k8s-<node>) and host-stack namespace; for each pod bound
// to a node it picks the pod's IPs (AnnotationPodIPs, else the node's for host-network pods, else the
// next of the node's pod CIDRs), creates the pod's logical switch port and network namespace, serves its
// declared container ports with the probe server, and only then writes status.podIPs, podIP, hostIPs and
// phase Running through the status subresource, as kubelet reports a pod once its network is up.
// Deleted pods keep their port and namespace until the bed stops.
type Agent struct {
	bed    *ovnsandbox.Bed
	bedMu  *sync.Mutex // the bed serves one goroutine at a time: the agent's or a test's
	client kubernetes.Interface
	log    *log.Logger

	factory informers.SharedInformerFactory
	pods    corelisters.PodLister
	nodes   corelisters.NodeLister
	queue   workqueue.TypedRateLimitingInterface[string]

	mu     sync.Mutex
	done   map[string]bool            // "pod/<ns>/<name>" and "node/<name>" set up
	errs   map[string]error           // the last failure of a key not done yet
	served map[string]map[string]bool // netns key -> "tcp:80"... already served
	pool   map[string]int             // node -> host numbers handed out
}

// NewAgent prepares an agent; Run starts it. bedMu guards every use of bed.
func NewAgent(client kubernetes.Interface, bed *ovnsandbox.Bed, bedMu *sync.Mutex, logger *log.Logger) *Agent {
	f := informers.NewSharedInformerFactory(client, 0)
	a := &Agent{bed: bed, bedMu: bedMu, client: client, log: logger, factory: f,
		pods: f.Core().V1().Pods().Lister(), nodes: f.Core().V1().Nodes().Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](50*time.Millisecond, 2*time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "e2e-agent"}),
		done: map[string]bool{}, errs: map[string]error{}, served: map[string]map[string]bool{}, pool: map[string]int{}}
	enqueue := func(prefix string) cache.ResourceEventHandlerFuncs {
		add := func(obj any) {
			if key, err := cache.MetaNamespaceKeyFunc(obj); err == nil {
				a.queue.Add(prefix + key)
			}
		}
		return cache.ResourceEventHandlerFuncs{AddFunc: add, UpdateFunc: func(_, obj any) { add(obj) }}
	}
	_, _ = f.Core().V1().Pods().Informer().AddEventHandler(enqueue("pod/"))
	_, _ = f.Core().V1().Nodes().Informer().AddEventHandler(enqueue("node/"))
	return a
}

// Run starts the informers and the worker; both stop with ctx.
func (a *Agent) Run(ctx context.Context) error {
	a.factory.Start(ctx.Done())
	for typ, ok := range a.factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("agent: %v informer did not sync", typ)
		}
	}
	go func() {
		<-ctx.Done()
		a.queue.ShutDown()
	}()
	go a.work(ctx)
	return nil
}

func (a *Agent) work(ctx context.Context) {
	for {
		key, quit := a.queue.Get()
		if quit {
			return
		}
		err := a.process(ctx, key)
		a.mu.Lock()
		if err != nil {
			a.errs[key] = err
		} else {
			delete(a.errs, key)
		}
		a.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			a.log.Printf("%s: %v (retrying)", key, err)
			a.queue.AddRateLimited(key)
		} else {
			a.queue.Forget(key)
		}
		a.queue.Done(key)
	}
}

// Done tells whether the pod ("<namespace>/<name>") is set up; if not, the last error, if any.
func (a *Agent) Done(pod string) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.done["pod/"+pod], a.errs["pod/"+pod]
}

// WaitPods waits until the agent has set up every pod.
func (a *Agent) WaitPods(ctx context.Context, timeout time.Duration, pods ...string) error {
	deadline := time.Now().Add(timeout)
	for {
		var missing []string
		for _, p := range pods {
			if ok, err := a.Done(p); !ok {
				missing = append(missing, fmt.Sprintf("%s (%v)", p, err))
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("agent did not set up within %v: %s", timeout, strings.Join(missing, ", "))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (a *Agent) isDone(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.done[key]
}

func (a *Agent) setDone(key string) {
	a.mu.Lock()
	a.done[key] = true
	a.mu.Unlock()
}

func (a *Agent) process(ctx context.Context, key string) error {
	if a.isDone(key) {
		return nil
	}
	kind, name, _ := strings.Cut(key, "/")
	switch kind {
	case "node":
		node, err := a.nodes.Get(name)
		if apierrors.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		return a.setUpNode(ctx, node)
	case "pod":
		ns, podName, _ := strings.Cut(name, "/")
		pod, err := a.pods.Pods(ns).Get(podName)
		if apierrors.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		return a.setUpPod(ctx, pod)
	}
	return fmt.Errorf("unknown key %q", key)
}

// setUpNode gives a node with addresses its port and its host stack's namespace.
func (a *Agent) setUpNode(ctx context.Context, node *corev1.Node) error {
	if len(cluster.NodeIPs(node)) == 0 {
		return nil // nothing can address it yet; its status update brings it back
	}
	a.bedMu.Lock()
	defer a.bedMu.Unlock()
	if _, err := a.bed.ApplyTopology(ctx, &cluster.Snapshot{Nodes: []*corev1.Node{node}}); err != nil {
		return err
	}
	if a.bed.Netns(nodeKey(node.Name)) == nil {
		if _, err := a.bed.AddNodeNamespace(ctx, node.Name); err != nil {
			return err
		}
	}
	a.setDone("node/" + node.Name)
	a.log.Printf("node %s: port %s, addresses %v", node.Name, ovnsandbox.NodePortName(node.Name), cluster.NodeIPs(node))
	return nil
}

func (a *Agent) setUpPod(ctx context.Context, pod *corev1.Pod) error {
	if pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil {
		return nil
	}
	node, err := a.nodes.Get(pod.Spec.NodeName)
	if err != nil {
		return fmt.Errorf("node %s: %w", pod.Spec.NodeName, err)
	}
	if !a.isDone("node/" + node.Name) {
		if err := a.setUpNode(ctx, node); err != nil {
			return err
		}
		if !a.isDone("node/" + node.Name) {
			return fmt.Errorf("node %s has no addresses yet", node.Name)
		}
	}
	ips, err := a.podIPs(pod, node)
	if err != nil {
		return err
	}
	withIPs := pod.DeepCopy()
	setPodNetworkStatus(withIPs, node, ips)
	if err := a.wire(ctx, withIPs); err != nil {
		return err
	}
	if err := a.writeStatus(ctx, pod, node, ips); err != nil {
		return err
	}
	a.setDone("pod/" + pod.Namespace + "/" + pod.Name)
	a.log.Printf("pod %s/%s on %s: %v", pod.Namespace, pod.Name, node.Name, ips)
	return nil
}

// podIPs picks the pod's addresses: the node's for a host-network pod, else the annotation's, else the
// ones it already has, else the next free ones of the node's pod CIDRs.
func (a *Agent) podIPs(pod *corev1.Pod, node *corev1.Node) ([]netip.Addr, error) {
	if pod.Spec.HostNetwork {
		return cluster.NodeIPs(node), nil
	}
	if raw, ok := pod.Annotations[AnnotationPodIPs]; ok {
		var ips []netip.Addr
		for _, s := range strings.Split(raw, ",") {
			ip, err := netip.ParseAddr(strings.TrimSpace(s))
			if err != nil {
				return nil, fmt.Errorf("annotation %s: %w", AnnotationPodIPs, err)
			}
			ips = append(ips, ip)
		}
		return ips, nil
	}
	if ips := cluster.PodIPs(pod); len(ips) > 0 {
		return ips, nil
	}
	cidrs := node.Spec.PodCIDRs
	if len(cidrs) == 0 && node.Spec.PodCIDR != "" {
		cidrs = []string{node.Spec.PodCIDR}
	}
	if len(cidrs) == 0 {
		return nil, fmt.Errorf("node %s has no pod CIDR to take addresses from", node.Name)
	}
	a.mu.Lock()
	host := poolStart + a.pool[node.Name]
	a.pool[node.Name]++
	a.mu.Unlock()
	var ips []netip.Addr
	for _, c := range cidrs {
		prefix, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("node %s pod CIDR: %w", node.Name, err)
		}
		ip := prefix.Masked().Addr()
		for range host {
			ip = ip.Next()
		}
		if !prefix.Contains(ip) {
			return nil, fmt.Errorf("node %s: pod CIDR %s is used up", node.Name, c)
		}
		ips = append(ips, ip)
	}
	return ips, nil
}

// wire creates the pod's logical port and namespace (a host-network pod uses its node's) and serves its
// declared container ports there.
func (a *Agent) wire(ctx context.Context, pod *corev1.Pod) error {
	a.bedMu.Lock()
	defer a.bedMu.Unlock()
	var ns *ovnsandbox.Netns
	if pod.Spec.HostNetwork {
		ns = a.bed.Netns(nodeKey(pod.Spec.NodeName))
		if ns == nil {
			return fmt.Errorf("node %s has no namespace", pod.Spec.NodeName)
		}
	} else {
		if _, err := a.bed.ApplyTopology(ctx, &cluster.Snapshot{Pods: []*corev1.Pod{pod}}); err != nil {
			return err
		}
		if ns = a.bed.Netns(pod.Namespace + "/" + pod.Name); ns == nil {
			var err error
			if ns, err = a.bed.AddPodNamespace(ctx, pod); err != nil {
				return err
			}
		}
	}
	if a.served[ns.Key] == nil {
		a.served[ns.Key] = map[string]bool{}
	}
	var listen []probe.Listen
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			proto := probe.Protocol(p.Protocol)
			if proto == "" {
				proto = probe.TCP
			}
			l := probe.Listen{Protocol: proto, Port: uint16(p.ContainerPort)}
			if !a.served[ns.Key][l.String()] {
				a.served[ns.Key][l.String()] = true
				listen = append(listen, l)
			}
		}
	}
	if len(listen) == 0 {
		return nil
	}
	_, err := a.bed.Serve(ctx, ns, listen...)
	return err
}

// writeStatus reports the pod running with its addresses through the status subresource.
func (a *Agent) writeStatus(ctx context.Context, pod *corev1.Pod, node *corev1.Node, ips []netip.Addr) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := a.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		setPodNetworkStatus(cur, node, ips)
		_, err = a.client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, cur, metav1.UpdateOptions{FieldManager: "e2e-agent"})
		return err
	})
}

func setPodNetworkStatus(pod *corev1.Pod, node *corev1.Node, ips []netip.Addr) {
	pod.Status.Phase = corev1.PodRunning
	pod.Status.PodIPs, pod.Status.HostIPs = nil, nil
	for _, ip := range ips {
		pod.Status.PodIPs = append(pod.Status.PodIPs, corev1.PodIP{IP: ip.String()})
	}
	if len(ips) > 0 {
		pod.Status.PodIP = ips[0].String()
	}
	for _, ip := range cluster.NodeIPs(node) {
		pod.Status.HostIPs = append(pod.Status.HostIPs, corev1.HostIP{IP: ip.String()})
	}
	if len(pod.Status.HostIPs) > 0 {
		pod.Status.HostIP = pod.Status.HostIPs[0].IP
	}
}

// nodeKey is the bed's key of a node's host-stack namespace.
func nodeKey(node string) string { return policytest.NodePrefix + node }
