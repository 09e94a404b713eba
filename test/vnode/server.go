package vnode

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"time"

	"k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// The kubelet API's exec timeouts, the kubelet's defaults.
const (
	streamIdleTimeout     = 4 * time.Hour
	streamCreationTimeout = 30 * time.Second
)

// serve starts the kubelet API on cfg.Listen over TLS, accepting only clients whose certificate the
// cluster's CA signed (kube-apiserver's kubelet client certificate): /healthz, /exec and
// /containerLogs, the routes kube-apiserver proxies pods/exec and pods/log to.
func (a *Agent) serve() (*http.Server, error) {
	caPEM, err := os.ReadFile(a.cfg.ClientCAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("no certificate in %s", a.cfg.ClientCAFile)
	}
	cert, err := tls.LoadX509KeyPair(a.cfg.CertFile, a.cfg.KeyFile)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	for _, pattern := range []string{"/exec/{namespace}/{pod}/{container}", "/exec/{namespace}/{pod}/{uid}/{container}"} {
		mux.HandleFunc(pattern, a.handleExec)
	}
	mux.HandleFunc("GET /containerLogs/{namespace}/{pod}/{container}", a.handleLogs)
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool,
			ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Printf("kubelet API: %v", err)
		}
	}()
	return srv, nil
}

func (a *Agent) handleExec(w http.ResponseWriter, req *http.Request) {
	opts, err := remotecommand.NewOptions(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cmd := req.URL.Query()["command"]
	pod := req.PathValue("namespace") + "/" + req.PathValue("pod")
	remotecommand.ServeExec(w, req, a, pod, req.PathValue("uid"), req.PathValue("container"), cmd, opts,
		streamIdleTimeout, streamCreationTimeout, remotecommand.SupportedStreamingProtocols)
}

// container finds a running container of a pod this agent runs.
func (a *Agent) container(pod, container string) (*podRun, *containerRun, error) {
	a.mu.Lock()
	p := a.running[pod]
	a.mu.Unlock()
	if p == nil {
		return nil, nil, fmt.Errorf("pod %s does not run on node %s", pod, a.cfg.NodeName)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range append(append([]*containerRun(nil), p.containers...), p.inits...) {
		if c.spec.Name == container {
			return p, c, nil
		}
	}
	return nil, nil, fmt.Errorf("pod %s has no container %q", pod, container)
}

// ExecInContainer runs cmd in the container's context, as the container runtime's exec does: the pod's
// network namespace and root, the container's hostname, environment and working directory. A terminal
// is not made: with tty the streams are plain pipes.
func (a *Agent) ExecInContainer(ctx context.Context, name, _ string, container string, cmd []string, in io.Reader,
	out, errOut io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	if len(cmd) == 0 {
		return errors.New("no command")
	}
	p, c, err := a.container(name, container)
	if err != nil {
		return err
	}
	c.mu.Lock()
	env, running := c.env, c.state.Running != nil
	c.mu.Unlock()
	if !running {
		return fmt.Errorf("container %s of pod %s is not running", container, name)
	}
	x := p.command(env, c.spec.WorkingDir, cmd)
	x.Stdin, x.Stdout = in, out
	if errOut != nil {
		x.Stderr = errOut
	} else {
		x.Stderr = out
	}
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return fmt.Errorf("pod %s is stopping", name)
	}
	if err := x.Start(); err != nil {
		p.mu.Unlock()
		return err
	}
	p.execs[x] = true
	p.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { _ = syscall.Kill(-x.Process.Pid, syscall.SIGKILL) })
	defer stop()
	err = x.Wait()
	p.mu.Lock()
	delete(p.execs, x)
	p.mu.Unlock()
	if err != nil {
		if code := exitCode(err); code != 0 {
			return utilexec.CodeExitError{Err: err, Code: code}
		}
	}
	return nil
}

// handleLogs serves a container's output; follow=true keeps sending what it writes until the client
// goes or the container's pod stops.
func (a *Agent) handleLogs(w http.ResponseWriter, req *http.Request) {
	pod := req.PathValue("namespace") + "/" + req.PathValue("pod")
	p, c, err := a.container(pod, req.PathValue("container"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	f, err := os.Open(p.dirs.logFile(c.spec.Name, 0))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	defer func() { _ = f.Close() }() // read-only
	w.Header().Set("Content-Type", "text/plain")
	if tail, err := strconv.Atoi(req.URL.Query().Get("tailLines")); err == nil && tail >= 0 {
		_, _ = io.WriteString(w, lastLines(f.Name(), tail)+"\n")
		_, _ = f.Seek(0, io.SeekEnd)
	} else if _, err := io.Copy(w, f); err != nil {
		return
	}
	if req.URL.Query().Get("follow") != "true" {
		return
	}
	flusher, _ := w.(http.Flusher)
	for {
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-req.Context().Done():
			return
		case <-p.stopCh:
			return
		case <-time.After(200 * time.Millisecond):
		}
		if _, err := io.Copy(w, f); err != nil {
			return
		}
	}
}
