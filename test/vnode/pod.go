package vnode

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

// podRun is a pod this agent runs: its network namespace, folders and containers.
type podRun struct {
	agent         *Agent
	key, uid      string
	pod           *corev1.Pod // as first seen, with the status fields the agent set
	netns         string
	hostNetwork   bool
	dirs          podDirs
	hostname      string
	restartPolicy corev1.RestartPolicy
	startTime     metav1.Time

	mu         sync.Mutex
	initDone   bool
	inits      []*containerRun
	containers []*containerRun
	stopped    bool
	stopCh     chan struct{}
	execs      map[*exec.Cmd]bool
}

func (p *podRun) isStopped() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopped
}

// sleep waits d unless the pod stops first; it tells whether it slept the whole time.
func (p *podRun) sleep(d time.Duration) bool {
	select {
	case <-p.stopCh:
		return false
	case <-time.After(d):
		return true
	}
}

// changed asks the agent to write the pod's status again.
func (p *podRun) changed() { p.agent.queue.Add(p.key) }

func (p *podRun) podWithStatus() *corev1.Pod { return p.pod }

// command prepares argv in the pod's container context with env.
func (p *podRun) command(env []string, workdir string, argv []string) *exec.Cmd {
	full := initArgv(p.agent.cfg.Init, p.netns, p.dirs, p.agent.cfg.Agnhost, p.hostname, workdir, argv)
	cmd := exec.Command(full[0], full[1:]...)
	cmd.Env = env
	// Own process group, so a stop reaches the whole container; a UTS namespace for its hostname;
	// Pdeathsig ends it with the agent.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Cloneflags: syscall.CLONE_NEWUTS}
	return cmd
}

// start runs the init containers one after another, then every container.
func (p *podRun) start() {
	for _, c := range p.inits {
		if !p.launch(c) {
			return
		}
		<-c.done
		if code := c.status().State.Terminated; code == nil || code.ExitCode != 0 {
			return // stopped, or failed under restartPolicy Never: the pod has failed
		}
	}
	p.mu.Lock()
	p.initDone = true
	p.mu.Unlock()
	p.changed()
	for _, c := range p.containers {
		if !p.launch(c) {
			return
		}
	}
}

// launch starts c's process loop unless the pod is stopping; stop waits only for launched containers.
func (p *podRun) launch(c *containerRun) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return false
	}
	c.launched = true
	go c.run()
	return true
}

// stop ends every process of the pod: SIGTERM, then SIGKILL after grace.
func (p *podRun) stop(grace time.Duration) {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	close(p.stopCh)
	var all []*containerRun
	for _, c := range append(append([]*containerRun(nil), p.inits...), p.containers...) {
		if c.launched {
			all = append(all, c)
		}
	}
	for cmd := range p.execs {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	p.mu.Unlock()
	for _, c := range all {
		c.signal(syscall.SIGTERM)
	}
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	expired := false
	for _, c := range all {
		if !expired {
			select {
			case <-c.done:
				continue
			case <-deadline.C:
				expired = true
			}
		}
		c.signal(syscall.SIGKILL)
		<-c.done
	}
}

// sync makes the node run what the API says for the pod key: start it, report it, or tear it down.
func (a *Agent) sync(ctx context.Context, key string) error {
	ns, name, _ := strings.Cut(key, "/")
	pod, err := a.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return a.teardown(ctx, key, 0)
	} else if err != nil {
		return err
	}
	a.mu.Lock()
	run := a.running[key]
	a.mu.Unlock()
	if run != nil && run.uid != string(pod.UID) {
		if err := a.teardown(ctx, key, 0); err != nil {
			return err
		}
		run = nil
	}
	if pod.DeletionTimestamp != nil {
		grace := 30 * time.Second
		if pod.DeletionGracePeriodSeconds != nil {
			grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
		}
		if err := a.teardown(ctx, key, grace); err != nil {
			return err
		}
		// Finalize, as the kubelet does once the containers are gone: delete now, this very pod only.
		err := a.client.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0)),
			Preconditions: &metav1.Preconditions{UID: &pod.UID}})
		if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
			return nil
		}
		return err
	}
	if run == nil {
		if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			return nil // done before this agent started; a kubelet does not run it again
		}
		if run, err = a.startPod(ctx, pod); err != nil {
			return err
		}
	}
	return a.writePodStatus(ctx, run)
}

// startPod gives the pod its address, namespace and folders, and starts its containers.
func (a *Agent) startPod(ctx context.Context, pod *corev1.Pod) (*podRun, error) {
	key := pod.Namespace + "/" + pod.Name
	p := &podRun{agent: a, key: key, uid: string(pod.UID), hostNetwork: pod.Spec.HostNetwork,
		restartPolicy: pod.Spec.RestartPolicy, startTime: metav1.Now(), stopCh: make(chan struct{}),
		execs: map[*exec.Cmd]bool{}}
	var ip netip.Addr
	if pod.Spec.HostNetwork {
		ip = a.cfg.NodeIP
		p.hostname = a.cfg.NodeName
	} else {
		var err error
		if ip, err = a.ipam.assign(pod); err != nil {
			return nil, err
		}
		p.hostname = pod.Name
		if pod.Spec.Hostname != "" {
			p.hostname = pod.Spec.Hostname
		}
		if len(p.hostname) > 63 {
			p.hostname = p.hostname[:63]
		}
	}
	withIP := pod.DeepCopy()
	setNetworkStatus(withIP, ip, a.cfg.NodeIP)
	p.pod = withIP
	netns, err := a.wirePod(ctx, withIP)
	if err != nil {
		a.ipam.release(key)
		return nil, err
	}
	p.netns = netns
	if p.dirs, err = newPodDirs(a.cfg.StateDir, p.uid); err != nil {
		return nil, err
	}
	for _, c := range pod.Spec.InitContainers {
		p.inits = append(p.inits, a.newContainer(p, c, true))
	}
	for _, c := range pod.Spec.Containers {
		p.containers = append(p.containers, a.newContainer(p, c, false))
	}
	a.mu.Lock()
	a.running[key] = p
	a.mu.Unlock()
	go p.start()
	a.log.Printf("pod %s: %s in %s", key, ip, netns)
	return p, nil
}

func (a *Agent) newContainer(p *podRun, spec corev1.Container, init bool) *containerRun {
	return &containerRun{pod: p, spec: spec, init: init, done: make(chan struct{}),
		state: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}}
}

// wirePod returns the network namespace the pod runs in: its node's for a host-network pod, else a new
// one on a veth bound to the pod's logical switch port.
func (a *Agent) wirePod(ctx context.Context, pod *corev1.Pod) (string, error) {
	a.bedMu.Lock()
	defer a.bedMu.Unlock()
	if pod.Spec.HostNetwork {
		n := a.bed.Netns(a.nodeKey())
		if n == nil {
			return "", fmt.Errorf("node %s has no namespace", a.cfg.NodeName)
		}
		return n.Name, nil
	}
	key := pod.Namespace + "/" + pod.Name
	if n := a.bed.Netns(key); n != nil {
		return n.Name, nil
	}
	if _, err := a.bed.ApplyTopology(ctx, snapshotOfPod(pod)); err != nil {
		return "", err
	}
	n, err := a.bed.AddPodNamespace(ctx, pod)
	if err != nil {
		_ = a.bed.RemoveEndpoint(ctx, key)
		return "", err
	}
	return n.Name, nil
}

// teardown stops the pod's processes and removes its namespace, port, address and folders.
func (a *Agent) teardown(ctx context.Context, key string, grace time.Duration) error {
	a.mu.Lock()
	run := a.running[key]
	a.mu.Unlock()
	if run == nil {
		return nil
	}
	run.stop(grace)
	if !run.hostNetwork {
		a.bedMu.Lock()
		err := a.bed.RemoveEndpoint(ctx, key)
		a.bedMu.Unlock()
		if err != nil {
			return err
		}
	}
	a.ipam.release(key)
	a.mu.Lock()
	delete(a.running, key)
	a.mu.Unlock()
	a.log.Printf("pod %s: stopped and removed", key)
	return os.RemoveAll(run.dirs.base)
}

func setNetworkStatus(pod *corev1.Pod, ip, hostIP netip.Addr) {
	pod.Status.PodIP = ip.String()
	pod.Status.PodIPs = []corev1.PodIP{{IP: ip.String()}}
	pod.Status.HostIP = hostIP.String()
	pod.Status.HostIPs = []corev1.HostIP{{IP: hostIP.String()}}
}

// writePodStatus writes the pod's status as the kubelet computes it from its containers' states.
func (a *Agent) writePodStatus(ctx context.Context, p *podRun) error {
	ns, name, _ := strings.Cut(p.key, "/")
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		cur, err := a.client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		} else if err != nil {
			return err
		}
		if string(cur.UID) != p.uid || cur.DeletionTimestamp != nil {
			return nil
		}
		st := p.status(cur.Status)
		if equality.Semantic.DeepEqual(st, cur.Status) {
			return nil
		}
		cur.Status = st
		_, err = a.client.CoreV1().Pods(ns).UpdateStatus(ctx, cur, metav1.UpdateOptions{})
		return err
	})
}

// status computes the pod's status from old (for the conditions' transition times and the
// scheduler's condition) and its containers.
func (p *podRun) status(old corev1.PodStatus) corev1.PodStatus {
	st := old.DeepCopy()
	st.PodIP, st.PodIPs, st.HostIP, st.HostIPs = p.pod.Status.PodIP, p.pod.Status.PodIPs, p.pod.Status.HostIP,
		p.pod.Status.HostIPs
	st.StartTime = &p.startTime
	p.mu.Lock()
	initDone := p.initDone
	inits, containers := p.inits, p.containers
	p.mu.Unlock()
	st.InitContainerStatuses, st.ContainerStatuses = nil, nil
	for _, c := range inits {
		st.InitContainerStatuses = append(st.InitContainerStatuses, c.status())
	}
	ready, done, failed := initDone, initDone, false
	for _, c := range containers {
		cs := c.status()
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
		ready = ready && cs.Ready
		if t := cs.State.Terminated; t == nil || c.restart(int(t.ExitCode)) {
			done = false
		} else if t.ExitCode != 0 {
			failed = true
		}
	}
	for _, cs := range st.InitContainerStatuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 && p.restartPolicy == corev1.RestartPolicyNever {
			done, failed = true, true
		}
	}
	switch {
	case done && failed:
		st.Phase = corev1.PodFailed
	case done:
		st.Phase = corev1.PodSucceeded
	case initDone:
		st.Phase = corev1.PodRunning
	default:
		st.Phase = corev1.PodPending
	}
	now := metav1.Now()
	st.Conditions = setCondition(st.Conditions, now, corev1.PodReadyToStartContainers, true, "")
	st.Conditions = setCondition(st.Conditions, now, corev1.PodInitialized, initDone, "ContainersNotInitialized")
	st.Conditions = setCondition(st.Conditions, now, corev1.ContainersReady, ready, "ContainersNotReady")
	st.Conditions = setCondition(st.Conditions, now, corev1.PodReady, ready, "ContainersNotReady")
	return *st
}

func setCondition(conds []corev1.PodCondition, now metav1.Time, typ corev1.PodConditionType, ok bool,
	reason string) []corev1.PodCondition {
	status := corev1.ConditionFalse
	if ok {
		status, reason = corev1.ConditionTrue, ""
	}
	for i, c := range conds {
		if c.Type == typ {
			if c.Status != status {
				conds[i].Status, conds[i].Reason, conds[i].LastTransitionTime = status, reason, now
			}
			return conds
		}
	}
	return append(conds, corev1.PodCondition{Type: typ, Status: status, Reason: reason, LastTransitionTime: now})
}
