package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/restmapper"

	"github.com/tieracl/tieracl/test/testbed"
)

// DistManifests are the files of dist/ the e2e applies, in order. The CRDs (dist/crds) are installed
// by kube.Start; the Deployment and Service need a container runtime the e2e does not have.
var DistManifests = []string{"namespace.yaml", "serviceaccount.yaml", "rbac.yaml"}

// ApplyDist decodes DistManifests with client-go's scheme and creates every object, as kubectl create
// would, finding each kind's resource through the API server's discovery; it returns what it created,
// "Kind namespace/name" each.
func ApplyDist(ctx context.Context, disc discovery.DiscoveryInterface, client dynamic.Interface) ([]string, error) {
	repo, err := testbed.RepoRoot()
	if err != nil {
		return nil, err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	var created []string
	for _, name := range DistManifests {
		file := filepath.Join(repo, "dist", name)
		objs, err := decodeFile(file)
		if err != nil {
			return created, err
		}
		for _, obj := range objs {
			what, err := create(ctx, mapper, client, obj)
			if err != nil {
				return created, fmt.Errorf("%s: %s: %w", file, what, err)
			}
			created = append(created, what)
		}
	}
	return created, nil
}

// decodeFile decodes every YAML document of file into a typed object of client-go's scheme.
func decodeFile(file string) ([]runtime.Object, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	decode := scheme.Codecs.UniversalDeserializer().Decode
	var out []runtime.Object
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		obj, _, err := decode(doc, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		out = append(out, obj)
	}
}

// stripComments drops the comment lines, so a document of only comments counts as empty.
func stripComments(doc []byte) []byte {
	var out []byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			out = append(append(out, line...), '\n')
		}
	}
	return out
}

// create creates one decoded object in the resource its kind maps to.
func create(ctx context.Context, mapper meta.RESTMapper, client dynamic.Interface, obj runtime.Object) (string, error) {
	gvks, _, err := scheme.Scheme.ObjectKinds(obj)
	if err != nil {
		return fmt.Sprintf("%T", obj), err
	}
	gvk := gvks[0]
	raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return gvk.Kind, err
	}
	u := &unstructured.Unstructured{Object: raw}
	u.SetGroupVersionKind(gvk)
	what := gvk.Kind + " " + u.GetName()
	if u.GetNamespace() != "" {
		what = gvk.Kind + " " + u.GetNamespace() + "/" + u.GetName()
	}
	mapping, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return what, err
	}
	var r dynamic.ResourceInterface = client.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		r = client.Resource(mapping.Resource).Namespace(u.GetNamespace())
	}
	_, err = r.Create(ctx, u, metav1.CreateOptions{})
	return what, err
}
