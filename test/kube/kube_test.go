package kube_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	anpclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/test/kube"
)

// startCluster starts a cluster for t: a failure to build or start fails the test (never skips), and a
// failed test keeps the run folder and prints the logs' ends.
func startCluster(t *testing.T, ctx context.Context) *kube.Cluster {
	t.Helper()
	began := time.Now()
	c, err := kube.Start(ctx, kube.Options{})
	if err != nil {
		t.Fatalf("kube.Start: %v", err)
	}
	t.Logf("cluster up in %v at %s (run folder %s)", time.Since(began).Round(time.Millisecond), c.URL, c.Dir)
	t.Cleanup(func() {
		if t.Failed() {
			c.KeepRunDir()
			t.Logf("logs:\n%s", c.Logs(30))
		}
		began := time.Now()
		if err := c.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		t.Logf("stopped in %v", time.Since(began).Round(time.Millisecond))
	})
	return c
}

func TestCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	c := startCluster(t, ctx)

	t.Run("CRDs established", func(t *testing.T) {
		client, err := dynamic.NewForConfig(c.RESTConfig())
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"adminnetworkpolicies.policy.networking.k8s.io",
			"baselineadminnetworkpolicies.policy.networking.k8s.io"} {
			crd, err := client.Resource(kube.CRDResource).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				t.Fatalf("get CRD %s: %v", name, err)
			}
			if ok, err := kube.Established(crd); !ok || err != nil {
				t.Errorf("CRD %s not established (%v): %v", name, err, crd.Object["status"])
			}
		}
	})

	t.Run("ANP create and status", func(t *testing.T) {
		client, err := anpclient.NewForConfig(c.RESTConfig())
		if err != nil {
			t.Fatal(err)
		}
		anps := client.PolicyV1alpha1().AdminNetworkPolicies()
		anp := &anpv1alpha1.AdminNetworkPolicy{
			ObjectMeta: metav1.ObjectMeta{Name: "deny-to-db"},
			Spec: anpv1alpha1.AdminNetworkPolicySpec{
				Priority: 10,
				Subject: anpv1alpha1.AdminNetworkPolicySubject{
					Namespaces: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}},
				Ingress: []anpv1alpha1.AdminNetworkPolicyIngressRule{{
					Name:   "deny-all",
					Action: anpv1alpha1.AdminNetworkPolicyRuleActionDeny,
					From:   []anpv1alpha1.AdminNetworkPolicyIngressPeer{{Namespaces: &metav1.LabelSelector{}}},
				}},
			},
		}
		created, err := anps.Create(ctx, anp, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create ANP: %v", err)
		}
		created.Status.Conditions = []metav1.Condition{{Type: "Ready-tieracl", Status: metav1.ConditionTrue,
			Reason: "SetupSucceeded", Message: "written to OVN", LastTransitionTime: metav1.Now()}}
		if _, err := anps.UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			t.Fatalf("update ANP status: %v", err)
		}
		got, err := anps.Get(ctx, anp.Name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Status.Conditions) != 1 || got.Status.Conditions[0].Reason != "SetupSucceeded" {
			t.Errorf("status after UpdateStatus = %+v", got.Status)
		}
		if len(got.Spec.Ingress) != 1 || got.Spec.Priority != 10 {
			t.Errorf("spec after UpdateStatus = %+v", got.Spec)
		}
	})

	t.Run("admin kubeconfig", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kubeconfig")
		if err := c.Kubeconfig(path); err != nil {
			t.Fatal(err)
		}
		cfg, err := clientcmd.BuildConfigFromFlags("", path)
		if err != nil {
			t.Fatal(err)
		}
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err != nil {
			t.Errorf("get namespace default through the kubeconfig: %v", err)
		}
	})

	t.Run("ServiceAccount without RBAC is refused", func(t *testing.T) {
		token, err := c.TokenFor(ctx, "tieracl-test", "nobody")
		if err != nil {
			t.Fatal(err)
		}
		client, err := kubernetes.NewForConfig(c.ConfigForToken(token))
		if err != nil {
			t.Fatal(err)
		}
		anps, err := anpclient.NewForConfig(c.ConfigForToken(token))
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			call func() error
		}{
			{"list pods", func() error {
				_, err := client.CoreV1().Pods("tieracl-test").List(ctx, metav1.ListOptions{})
				return err
			}},
			{"list pods in all namespaces", func() error {
				_, err := client.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
				return err
			}},
			{"list ANPs", func() error {
				_, err := anps.PolicyV1alpha1().AdminNetworkPolicies().List(ctx, metav1.ListOptions{})
				return err
			}},
			{"update ANP status", func() error {
				_, err := anps.PolicyV1alpha1().AdminNetworkPolicies().UpdateStatus(ctx,
					&anpv1alpha1.AdminNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "deny-to-db"}}, metav1.UpdateOptions{})
				return err
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := tc.call()
				// Forbidden, not Unauthorized: the token authenticated, RBAC said no.
				if !apierrors.IsForbidden(err) {
					t.Fatalf("got %v, want 403 Forbidden", err)
				}
				if want := "system:serviceaccount:tieracl-test:nobody"; !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			})
		}
	})

	t.Run("API server stopped and started again", func(t *testing.T) {
		client, err := kubernetes.NewForConfig(c.RESTConfig())
		if err != nil {
			t.Fatal(err)
		}
		if err := c.StopAPIServer(); err != nil {
			t.Fatal(err)
		}
		if err := c.StopAPIServer(); err == nil {
			t.Error("StopAPIServer of a stopped API server succeeded")
		}
		short, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if _, err := client.CoreV1().Namespaces().Get(short, "default", metav1.GetOptions{}); err == nil {
			t.Fatal("the API answers while stopped")
		}
		began := time.Now()
		if err := c.StartAPIServer(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("API server ready again in %v", time.Since(began).Round(time.Millisecond))
		// The same address and the same etcd: the old client works, and the ANP written before is there.
		if _, err := client.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{}); err != nil {
			t.Fatalf("the client of before cannot reach the restarted API server: %v", err)
		}
		anps, err := anpclient.NewForConfig(c.RESTConfig())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := anps.PolicyV1alpha1().AdminNetworkPolicies().Get(ctx, "deny-to-db", metav1.GetOptions{}); err != nil {
			t.Errorf("the ANP written before the restart: %v", err)
		}
	})
}

// TestStartFails checks that Start reports why it could not start, with the end of the failing
// process's log, and leaves no run folder behind.
func TestStartFails(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	realBin, err := kube.BinDir(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	brokenBin := t.TempDir()
	for _, name := range kube.Binaries {
		if name == "kube-apiserver" {
			continue
		}
		if err := os.Symlink(filepath.Join(realBin, name), filepath.Join(brokenBin, name)); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\necho 'cannot serve: no disk' >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(brokenBin, "kube-apiserver"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, binDir string
		want         []string
	}{
		{"no binaries", t.TempDir(), []string{"kube binaries in", "missing etcd, kube-apiserver", "agnhost"}},
		{"API server exits", brokenBin, []string{"kube-apiserver exited", "exit status 3", "cannot serve: no disk"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			c, err := kube.Start(ctx, kube.Options{Dir: parent, BinDir: tc.binDir})
			if err == nil {
				if err := c.Stop(); err != nil {
					t.Errorf("Stop: %v", err)
				}
				t.Fatal("Start succeeded")
			}
			t.Logf("error: %v", err)
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if left, _ := os.ReadDir(parent); len(left) != 0 {
				t.Errorf("run folder left behind: %v", left)
			}
		})
	}
}
