package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"

	"github.com/tieracl/tieracl/test/testbed"
)

// CRDResource is the CustomResourceDefinition resource. A dynamic client keeps the main module free of
// k8s.io/apiextensions-apiserver for a handful of fields.
var CRDResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1",
	Resource: "customresourcedefinitions"}

// CRD bundles, as folders of dist/ (made by `make crds`): v0.3.0's ClusterNetworkPolicy, and v0.1.7's
// AdminNetworkPolicy and BaselineAdminNetworkPolicy.
const (
	CRDsV030 = "crds"
	CRDsV017 = "crds/v0.1.7"
)

// DefaultCRDs are the bundles Start installs unless Options.CRDs says otherwise: both APIs.
var DefaultCRDs = []string{CRDsV030, CRDsV017}

// CRDFiles are the CRD manifests of the bundles (folders of dist/, DefaultCRDs when none are named).
func CRDFiles(bundles ...string) ([]string, error) {
	repo, err := testbed.RepoRoot()
	if err != nil {
		return nil, err
	}
	if len(bundles) == 0 {
		bundles = DefaultCRDs
	}
	var all []string
	for _, b := range bundles {
		dir := filepath.Join(repo, "dist", filepath.FromSlash(b))
		files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if err == nil && len(files) == 0 {
			err = fmt.Errorf("no CRDs in %s (run make crds)", dir)
		}
		if err != nil {
			return nil, err
		}
		all = append(all, files...)
	}
	return all, nil
}

// installCRDs creates every CRD in CRDFiles and waits until each is Established, i.e. served.
func (c *Cluster) installCRDs(ctx context.Context) error {
	files := c.opts.CRDFiles
	if len(files) == 0 {
		var err error
		if files, err = CRDFiles(c.opts.CRDs...); err != nil {
			return err
		}
	}
	client, err := dynamic.NewForConfig(c.RESTConfig())
	if err != nil {
		return err
	}
	var created []*unstructured.Unstructured
	for _, file := range files {
		crds, err := readObjects(file)
		if err != nil {
			return err
		}
		for _, crd := range crds {
			if _, err := client.Resource(CRDResource).Create(ctx, crd, metav1.CreateOptions{}); err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			created = append(created, crd)
		}
	}
	for _, crd := range created {
		if err := WaitEstablished(ctx, client, crd.GetName(), 30*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// createHoldBack is how long after a CRD is Established the API server still delays every create of its
// resources by 2 s (customresource_handler.go, for HA servers that have not seen the CRD yet).
const createHoldBack = 2 * time.Second

// WaitEstablished waits until the CRD name is Established and past the API server's hold-back on
// creates, so the first create of a test does not take 2 s.
func WaitEstablished(ctx context.Context, client dynamic.Interface, name string, timeout time.Duration) error {
	var since time.Time
	var last error
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		crd, err := client.Resource(CRDResource).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err
			return false, nil
		}
		var established bool
		since, established, last = establishedSince(crd)
		return established, nil
	})
	if err != nil {
		return fmt.Errorf("CRD %s not established: %w (last: %v)", name, err, last)
	}
	select {
	case <-time.After(time.Until(since.Add(createHoldBack))):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Established tells whether a CRD read with a dynamic client has condition Established=True.
func Established(crd *unstructured.Unstructured) (bool, error) {
	_, established, err := establishedSince(crd)
	return established, err
}

// establishedSince returns whether crd is Established and since when (to the second, as the API
// server stores it).
func establishedSince(crd *unstructured.Unstructured) (time.Time, bool, error) {
	conditions, _, err := unstructured.NestedSlice(crd.Object, "status", "conditions")
	if err != nil {
		return time.Time{}, false, err
	}
	for _, cond := range conditions {
		m, ok := cond.(map[string]any)
		if !ok || m["type"] != "Established" || m["status"] != "True" {
			continue
		}
		raw, _ := m["lastTransitionTime"].(string)
		since, err := time.Parse(time.RFC3339, raw)
		return since, err == nil, err
	}
	return time.Time{}, false, nil
}

// readObjects decodes every YAML document in file.
func readObjects(file string) ([]*unstructured.Unstructured, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only
	decoder := yaml.NewYAMLOrJSONDecoder(f, 4096)
	var objects []*unstructured.Unstructured
	for {
		obj := &unstructured.Unstructured{}
		if err := decoder.Decode(&obj.Object); errors.Is(err, io.EOF) {
			return objects, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(obj.Object) > 0 {
			objects = append(objects, obj)
		}
	}
}
