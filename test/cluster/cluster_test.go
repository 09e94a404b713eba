package cluster_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/test/cluster"
	"github.com/tieracl/tieracl/test/kube"
	"github.com/tieracl/tieracl/test/testbed"
)

// pods are a server in the namespace example 06's ANP protects, on one node, and a client in another
// namespace, on the other node, so the probe crosses nodes through OVN.
const pods = `
apiVersion: v1
kind: Namespace
metadata: {name: sensitive-ns}
---
apiVersion: v1
kind: Namespace
metadata: {name: app-ns}
---
apiVersion: v1
kind: Pod
metadata: {name: vault, namespace: sensitive-ns, labels: {app: vault}}
spec:
  nodeSelector: {kubernetes.io/hostname: vnode-2}
  containers:
  - name: api
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: ["netexec", "--http-port=8200"]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: app-ns}
spec:
  nodeSelector: {kubernetes.io/hostname: vnode-1}
  containers:
  - name: main
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    command: ["/bin/bash", "-c", "echo node $(NODE_IP); exec /agnhost pause"]
    env:
    - name: NODE_IP
      valueFrom: {fieldRef: {fieldPath: status.hostIP}}
`

// TestCluster brings the cluster up as `make cluster-up` does, and checks what docs/e2e.md promises:
// the virtual nodes are Ready, kubectl exec runs agnhost in a pod, a connection that example 06's ANP
// denies times out with real packets through OVN while it passed before, pods are deleted as a kubelet
// deletes them, every example applies with kubectl apply -f, and cluster-down leaves no namespace.
func TestCluster(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("the cluster needs root: its pods are network namespaces")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	state, err := os.MkdirTemp("", "tieracl-cluster-test-")
	if err != nil {
		t.Fatal(err)
	}
	o := cluster.Options{State: state, Nodes: 2, CRDs: cluster.CRDsV017}
	began := time.Now()
	if err := cluster.Up(ctx, o, 10*time.Minute); err != nil {
		t.Fatalf("cluster up: %v", err)
	}
	t.Logf("cluster up in %v (binaries built in this time too)", time.Since(began).Round(100*time.Millisecond))
	down := func() {
		if err := cluster.Down(o, 2*time.Minute); err != nil {
			t.Errorf("cluster down: %v", err)
		}
	}
	defer func() {
		if t.Failed() {
			t.Logf("state folder %s kept; cluster.log:\n%s", state, ovnsandbox.TailFile(filepath.Join(state, "cluster.log"), 40))
			down()
			return
		}
		down()
		_ = os.RemoveAll(state)
	}()
	bin, err := kube.BinDir(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	kubectl := func(stdin string, args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, filepath.Join(bin, "kubectl"), args...)
		cmd.Env = append(os.Environ(), "KUBECONFIG="+o.Kubeconfig())
		if stdin != "" {
			cmd.Stdin = strings.NewReader(stdin)
		}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	mustKubectl := func(stdin string, args ...string) string {
		t.Helper()
		out, err := kubectl(stdin, args...)
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}

	out := mustKubectl("", "get", "nodes", "-o",
		`jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`)
	for _, want := range []string{"vnode-1 True", "vnode-2 True"} {
		if !strings.Contains(out, want) {
			t.Fatalf("kubectl get nodes: want %q in\n%s", want, out)
		}
	}

	mustKubectl(pods, "apply", "-f", "-")
	mustKubectl("", "wait", "--for=condition=Ready", "--timeout=90s", "-n", "sensitive-ns", "pod/vault")
	mustKubectl("", "wait", "--for=condition=Ready", "--timeout=90s", "-n", "app-ns", "pod/client")
	vaultIP := strings.TrimSpace(mustKubectl("", "get", "-n", "sensitive-ns", "pod/vault", "-o",
		"jsonpath={.status.podIP}"))
	if got := mustKubectl("", "logs", "-n", "app-ns", "client"); !strings.Contains(got, "node "+cluster.NodeIP(1)) {
		t.Errorf("client's $(NODE_IP) from status.hostIP: log %q, want node %s", got, cluster.NodeIP(1))
	}
	connect := func() (string, error) {
		return kubectl("", "exec", "-n", "app-ns", "client", "--", "/agnhost", "connect", "--timeout=2s", vaultIP+":8200")
	}
	if out, err := connect(); err != nil {
		t.Fatalf("before the ANP, client -> vault %s:8200 failed: %v\n%s", vaultIP, err, out)
	}

	mustKubectl("", "apply", "-f",
		filepath.Join(repo(t), "examples", "06-story1-deny-sensitive-ns", "anp-cluster-wide-deny-example.yaml"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := connect()
		if err != nil && strings.Contains(out, "TIMEOUT") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("example 06's ANP applied 30 s ago, client -> vault still not timing out: %v\n%s", err, out)
		}
		time.Sleep(500 * time.Millisecond)
	}

	ours := bedNetnsPrefix(t, state)
	t.Run("delete", func(t *testing.T) {
		before := netnsWith(t, ours)
		mustKubectl("", "delete", "-n", "sensitive-ns", "pod/vault", "--timeout=60s")
		after := netnsWith(t, ours)
		if after != before-1 {
			t.Errorf("network namespaces: %d before deleting vault, %d after; want one fewer", before, after)
		}
	})

	// One example at a time, each deleted before the next: examples reuse names with other specs, and
	// pods are immutable. Their pods are bound to the examples' own node names, which no agent runs, so
	// they are deleted with --force (and kube-system, immortal, is not deleted at all).
	t.Run("every example applies", func(t *testing.T) {
		dirs, err := filepath.Glob(filepath.Join(repo(t), "examples", "[0-9]*"))
		if err != nil || len(dirs) == 0 {
			t.Fatalf("examples: %v %v", dirs, err)
		}
		for _, dir := range dirs {
			args := []string{"-f", filepath.Join(dir, "cluster.yaml")}
			others, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			for _, f := range others {
				if b := filepath.Base(f); b != "test.yaml" && b != "cluster.yaml" { // test.yaml is a policy test
					args = append(args, "-f", f)
				}
			}
			if out, err := kubectl("", append([]string{"apply"}, args...)...); err != nil {
				t.Errorf("kubectl apply %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			out, err := kubectl("", append([]string{"delete", "--force", "--grace-period=0", "--wait=true",
				"--timeout=60s", "--ignore-not-found"}, args...)...)
			if err != nil && !strings.Contains(out, "kube-system") {
				t.Fatalf("kubectl delete %s: %v\n%s", strings.Join(args, " "), err, out)
			}
		}
	})

	down()
	if n := netnsWith(t, ours); n != 0 {
		t.Errorf("%d network namespaces of the cluster's bed (%s*) left after cluster down", n, ours)
	}
}

func repo(t *testing.T) string {
	r, err := testbed.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// bedNetnsPrefix is the start of the names of the namespaces of the bed in the state folder: "tb<id>".
func bedNetnsPrefix(t *testing.T, state string) string {
	dirs, err := filepath.Glob(filepath.Join(state, "tieracl-bed-*"))
	if err != nil || len(dirs) != 1 {
		t.Fatalf("bed run folders in %s: %v %v", state, dirs, err)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(dirs[0]), "tieracl-bed-"), "-")
	return "tb" + id
}

// netnsWith counts the network namespaces whose name starts with prefix.
func netnsWith(t *testing.T, prefix string) int {
	entries, err := os.ReadDir("/run/netns")
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			n++
		}
	}
	return n
}
