package kube

import (
	"context"
	"crypto/tls"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Controllers are the kube-controller-manager controllers Options.ControlPlane runs: what StatefulSets,
// Deployments, namespace deletion, owner references, ServiceAccounts and Services need. Not
// nodelifecycle: the nodes are test/vnode agents, and tests stop and start them at will.
var Controllers = []string{"statefulset", "deployment", "replicaset", "namespace", "garbagecollector",
	"serviceaccount", "serviceaccount-token", "endpointslice", "endpointslicemirroring", "root-ca-cert-publisher"}

// AdminKubeconfig is the admin kubeconfig Start writes into the run folder for the control plane's
// processes; use it with kubectl.
func (c *Cluster) AdminKubeconfig() string { return filepath.Join(c.Dir, "admin.kubeconfig") }

// startControlPlane starts kube-controller-manager and kube-scheduler with the admin kubeconfig and
// waits for their /healthz.
func (c *Cluster) startControlPlane(ctx context.Context) error {
	if err := c.Kubeconfig(c.AdminKubeconfig()); err != nil {
		return err
	}
	// Their serving certificates are self-made; /healthz needs no client identity.
	insecure := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // loopback health check
	healthz := func(ports []int) error {
		return httpOK(ctx, insecure, "https://127.0.0.1:"+strconv.Itoa(ports[0])+"/healthz")
	}
	kcm := func(ports []int) []string {
		return []string{"--kubeconfig=" + c.AdminKubeconfig(),
			"--authentication-kubeconfig=" + c.AdminKubeconfig(), "--authorization-kubeconfig=" + c.AdminKubeconfig(),
			"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(ports[0]),
			"--cert-dir=" + filepath.Join(c.Dir, "kcm-certs"),
			"--leader-elect=false", "--controllers=" + strings.Join(Controllers, ","),
			"--service-account-private-key-file=" + c.saKeyFile(), "--root-ca-file=" + c.servingCert(),
			"--use-service-account-credentials=false"}
	}
	if _, err := c.launch(ctx, "kube-controller-manager", 1, 60*time.Second, kcm, healthz); err != nil {
		return err
	}
	sched := func(ports []int) []string {
		return []string{"--kubeconfig=" + c.AdminKubeconfig(),
			"--authentication-kubeconfig=" + c.AdminKubeconfig(), "--authorization-kubeconfig=" + c.AdminKubeconfig(),
			"--bind-address=127.0.0.1", "--secure-port=" + strconv.Itoa(ports[0]),
			"--cert-dir=" + filepath.Join(c.Dir, "scheduler-certs"), "--leader-elect=false"}
	}
	_, err := c.launch(ctx, "kube-scheduler", 1, 60*time.Second, sched, healthz)
	return err
}
