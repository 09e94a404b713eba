package manifest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// Set accumulates objects from files, folders and inline documents into one snapshot, rejecting
// duplicates across all of them.
type Set struct {
	snapshot cluster.Snapshot
	sources  Sources
	// SkipOtherKinds skips, rather than rejects, objects of kinds outside the policy API groups that
	// tieracl does not read (Services, ConfigMaps...), as an export of a namespace holds them;
	// Skipped counts them by kind.
	SkipOtherKinds bool
	skipped        map[string]int
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{sources: Sources{}, skipped: map[string]int{}} }

// Skipped returns how many objects of each kind SkipOtherKinds skipped.
func (s *Set) Skipped() map[string]int { return s.skipped }

// Snapshot returns the objects added so far.
func (s *Set) Snapshot() *cluster.Snapshot { return &s.snapshot }

// Sources returns where each object added so far came from.
func (s *Set) Sources() Sources { return s.sources }

// AddPaths adds files and folders of the local file system.
func (s *Set) AddPaths(paths ...string) error {
	for _, p := range paths {
		files, err := listFiles(osFS{}, p)
		if err != nil {
			return err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			if err := s.AddData(f, data); err != nil {
				return err
			}
		}
	}
	return nil
}

// AddFS adds the files under root (a file or folder) of fsys, e.g. an embedded example. Errors name
// files as display joined with the path below root.
func (s *Set) AddFS(fsys fs.FS, root, display string) error {
	files, err := listFiles(ioFS{fsys}, root)
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(f, root), "/")
		if rel == "" {
			rel = path.Base(f)
		}
		if err := s.AddData(path.Join(display, rel), data); err != nil {
			return err
		}
	}
	return nil
}

// AddData adds every document of one file's contents; name is used in errors and Sources.
func (s *Set) AddData(name string, data []byte) error {
	for _, doc := range splitDocuments(data) {
		src := Source{File: name, Document: doc.Number, Line: doc.Line, Item: -1}
		if err := s.addDocument(src, doc.Body); err != nil {
			return err
		}
	}
	return nil
}

// AddObject adds one inline object (YAML or JSON), such as an entry of a policy test's `objects:`.
func (s *Set) AddObject(src Source, body []byte) error {
	return s.addDocument(src, body)
}

func (s *Set) addDocument(src Source, body []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(body, &tm); err != nil {
		return &Error{src, fmt.Errorf("not a Kubernetes object: %w", explainDecodeError(err, body, nil, src.Line))}
	}
	if tm.Kind == policyTestKind && tm.APIVersion == "" {
		return nil
	}
	if tm.Kind != "List" {
		return s.addObject(src, tm, body)
	}
	if tm.APIVersion != "v1" {
		return &Error{src, unknownKind(tm)}
	}
	var l list
	if err := decodeStrict(body, &l, src.Line); err != nil {
		return &Error{src, err}
	}
	for i, item := range l.Items {
		itemSrc := src
		itemSrc.Item = i
		var itemTM metav1.TypeMeta
		if err := yaml.Unmarshal(item, &itemTM); err != nil {
			return &Error{itemSrc, fmt.Errorf("not a Kubernetes object: %w", explainDecodeError(err, item, nil, 0))}
		}
		if err := s.addObject(itemSrc, itemTM, item); err != nil {
			return err
		}
	}
	return nil
}

func (s *Set) addObject(src Source, tm metav1.TypeMeta, body []byte) error {
	kindOf, ok := kinds[tm.Kind]
	if !ok && s.SkipOtherKinds && tm.Kind != "" && tm.APIVersion != "" && !isPolicyGroup(tm.APIVersion) {
		s.skipped[tm.Kind]++
		return nil
	}
	if !ok {
		return &Error{src, unknownKind(tm)}
	}
	info, ok := kindOf.version(tm.APIVersion)
	if !ok {
		vs := kindOf.versions()
		want := fmt.Sprintf("%q", vs[0])
		if len(vs) > 1 {
			want = "one of " + strings.Join(quoteAll(vs), ", ")
		}
		return &Error{src, fmt.Errorf("apiVersion: %s must be %s, not %q", tm.Kind, want, tm.APIVersion)}
	}
	meta, add, err := info.decode(body, src.Line)
	if err != nil {
		return &Error{src, err}
	}
	if meta.Name == "" {
		return &Error{src, errors.New("metadata.name: required")}
	}
	switch {
	case info.namespaced && meta.Namespace == "":
		meta.Namespace = metav1.NamespaceDefault // as kubectl applies it
	case !info.namespaced && meta.Namespace != "":
		return &Error{src,
			fmt.Errorf("metadata.namespace: %s is cluster-scoped; remove the namespace %q", tm.Kind, meta.Namespace)}
	}
	key := ObjectKey{Kind: tm.Kind, Namespace: meta.Namespace, Name: meta.Name}
	if first, dup := s.sources[key]; dup {
		return &Error{src, fmt.Errorf("duplicate %s, first defined at %s", key, first)}
	}
	s.sources[key] = src
	add(&s.snapshot)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
