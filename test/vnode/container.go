package vnode

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The kubelet's crash-loop back-off: 10 s, doubled after each exit, at most 5 min, forgotten after a
// container has run 10 min.
const (
	backoffStart = 10 * time.Second
	backoffMax   = 5 * time.Minute
	backoffReset = 10 * time.Minute
)

// sctpEnvPrefix is agnhost porter's SCTP listener variable; see dropSCTP.
const sctpEnvPrefix = "SERVE_SCTP_PORT_"

// containerRun is one container of a running pod: its process, restarted as the pod's restartPolicy
// says, and the state the pod's status reports.
type containerRun struct {
	pod  *podRun
	spec corev1.Container
	init bool
	// launched is set, under the pod's lock, once run has been started.
	launched bool

	mu       sync.Mutex
	state    corev1.ContainerState
	last     corev1.ContainerState
	restarts int32
	cmd      *exec.Cmd
	env      []string // of the current process, for exec
	done     chan struct{}
}

// containerID names one run of a container in its status.
func (c *containerRun) containerID() string {
	return fmt.Sprintf("tieracl://%s/%s/%d", c.pod.uid, c.spec.Name, c.restarts)
}

// run starts the container's process and restarts it until the policy says stop or the pod stops. It
// returns the last exit code.
func (c *containerRun) run() int {
	defer close(c.done)
	backoff := backoffStart
	for {
		code, ran, err := c.once()
		if c.pod.isStopped() {
			return code
		}
		if err == nil && !c.restart(code) {
			return code
		}
		if ran > backoffReset {
			backoff = backoffStart
		}
		c.mu.Lock()
		reason := "CrashLoopBackOff"
		msg := fmt.Sprintf("back-off %v restarting failed container=%s pod=%s", backoff, c.spec.Name, c.pod.key)
		if err != nil {
			reason, msg = "CreateContainerConfigError", err.Error()
		} else {
			c.last = c.state
		}
		c.state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}
		c.mu.Unlock()
		c.pod.changed()
		if !c.pod.sleep(backoff) {
			return code
		}
		backoff = min(2*backoff, backoffMax)
		if err == nil {
			c.mu.Lock()
			c.restarts++
			c.mu.Unlock()
		}
	}
}

func (c *containerRun) restart(code int) bool {
	switch c.pod.restartPolicy {
	case corev1.RestartPolicyNever:
		return false
	case corev1.RestartPolicyOnFailure:
		return code != 0
	}
	// Always: but an init container that succeeded is done.
	return !c.init || code != 0
}

// once runs the process one time; err is a configuration error (the process did not start).
func (c *containerRun) once() (code int, ran time.Duration, err error) {
	p := c.pod
	env, err := ContainerEnv(p.podWithStatus(), &c.spec, p.hostname, p.agent)
	if err != nil {
		return 0, 0, err
	}
	env = p.agent.dropSCTP(p, c.spec.Name, env)
	argv := ContainerArgv(&c.spec, env)
	log, err := os.OpenFile(p.dirs.logFile(c.spec.Name, 0), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, 0, err
	}
	// The child holds its own copy of the file once started; this process only lets go of its handle.
	defer func() { _ = log.Close() }()
	cmd := p.command(env, c.spec.WorkingDir, argv)
	cmd.Stdout, cmd.Stderr = log, log
	started := metav1.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, fmt.Errorf("start: %w", err)
	}
	c.mu.Lock()
	c.cmd, c.env = cmd, env
	c.state = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}}
	c.mu.Unlock()
	p.changed()
	waitErr := cmd.Wait()
	code = exitCode(waitErr)
	finished := metav1.Now()
	reason := "Completed"
	if code != 0 {
		reason = "Error"
	}
	c.mu.Lock()
	c.cmd = nil
	c.state = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: int32(code),
		Reason: reason, Message: lastLines(p.dirs.logFile(c.spec.Name, 0), 5), StartedAt: started,
		FinishedAt: finished, ContainerID: c.containerID()}}
	c.mu.Unlock()
	p.changed()
	return code, finished.Sub(started.Time), nil
}

// signal sends sig to the container's process group.
func (c *containerRun) signal(sig syscall.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil && c.cmd.Process != nil {
		_ = syscall.Kill(-c.cmd.Process.Pid, sig)
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	}
	return 128
}

func lastLines(path string, n int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// status is the container's status as the kubelet reports it.
func (c *containerRun) status() corev1.ContainerStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	running := c.state.Running != nil
	st := corev1.ContainerStatus{Name: c.spec.Name, Image: c.spec.Image, ImageID: ImageID,
		State: c.state, LastTerminationState: c.last, RestartCount: c.restarts,
		// Probes are not run: a running container counts as ready and started.
		Ready: running, Started: &running}
	if running || c.state.Terminated != nil {
		st.ContainerID = c.containerID()
	}
	return st
}

// ImageID is what every container's status names as its image: the agnhost binary stands in for any.
const ImageID = "tieracl-vnode://agnhost"
