package manifest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

const goodCluster = `# a comment-only first document is not counted
---
apiVersion: v1
kind: Namespace
metadata:
  name: gryffindor
  labels: {house: gryffindor}
---
apiVersion: v1
kind: Pod
metadata:
  name: harry
spec:
  containers:
  - name: c
    image: x
    ports:
    - {name: http, containerPort: 80}
status:
  podIPs: [{ip: 10.0.0.1}]
---
apiVersion: v1
kind: Node
metadata: {name: node-a}
status:
  addresses: [{type: InternalIP, address: 172.18.0.2}]
`

const goodPolicies = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: gryffindor}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: pass-monitoring}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress:
  - name: pass
    action: Pass
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  ingress:
  - {name: deny, action: Deny, from: [{namespaces: {}}]}
`

const goodList = `{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "slytherin"}},
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "draco", "namespace": "slytherin"}}
  ]
}
`

// writeTree writes files (path -> content) under a temporary folder and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadGood(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"cluster.yaml":            goodCluster,
		"policies/b/policies.yml": goodPolicies,
		"policies/a/list.json":    goodList,
		"policies/README.md":      "not a manifest",
		"policies/test.yaml":      "kind: PolicyTest\nprobes: []\n",
	})
	snap, sources, err := LoadWithSources(filepath.Join(dir, "cluster.yaml"), filepath.Join(dir, "policies"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{"namespaces": len(snap.Namespaces), "pods": len(snap.Pods), "nodes": len(snap.Nodes),
		"networkpolicies": len(snap.NetworkPolicies), "anps": len(snap.ANPs), "banps": len(snap.BANPs)}
	want := map[string]int{"namespaces": 2, "pods": 2, "nodes": 1, "networkpolicies": 1, "anps": 1, "banps": 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s: got %d, want %d", k, counts[k], n)
		}
	}
	wantLabels := map[string]string{"house": "gryffindor", "kubernetes.io/metadata.name": "gryffindor"}
	if got := snap.Namespaces[0].Labels; !reflect.DeepEqual(got, wantLabels) {
		t.Errorf("namespace labels: got %v, want %v (the API server's name label added)", got, wantLabels)
	}
	if got := snap.Namespaces[1].Labels["kubernetes.io/metadata.name"]; got != "slytherin" {
		t.Errorf("a namespace without labels gets the name label: got %q", got)
	}
	if got := snap.Pods[0].Namespace; got != "default" {
		t.Errorf("pod without namespace: got namespace %q, want default", got)
	}
	if got := snap.Pods[0].Spec.Containers[0].Ports[0].ContainerPort; got != 80 {
		t.Errorf("container port: got %d", got)
	}
	if got := snap.ANPs[0].Spec.Priority; got != 10 {
		t.Errorf("ANP priority: got %d", got)
	}
	// Folders are read in lexical order: a/list.json before b/policies.yml.
	if got := snap.Namespaces[1].Name; got != "slytherin" {
		t.Errorf("second namespace: got %q, want slytherin (from policies/a/list.json)", got)
	}
	wantSources := map[ObjectKey]string{
		{Kind: "Pod", Namespace: "default", Name: "harry"}:    "cluster.yaml: document 2 (line 9)",
		{Kind: "Node", Name: "node-a"}:                        "cluster.yaml: document 3 (line 22)",
		{Kind: "Pod", Namespace: "slytherin", Name: "draco"}:  "policies/a/list.json: document 1 (line 1): items[1]",
		{Kind: "BaselineAdminNetworkPolicy", Name: "default"}: "policies/b/policies.yml: document 3 (line 19)",
	}
	for key, want := range wantSources {
		src, ok := sources[key]
		if !ok {
			t.Errorf("no source for %s", key)
			continue
		}
		if got := strings.TrimPrefix(src.String(), dir+string(filepath.Separator)); got != want {
			t.Errorf("source of %s: got %q, want %q", key, got, want)
		}
	}
	if len(sources) != 8 {
		t.Errorf("got %d sources, want 8", len(sources))
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // the error text, after the temporary folder
	}{{
		name: "unknown field names its path",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\n" +
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    portz: []\n"},
		want: "a.yaml: document 2 (line 5): spec.containers[0].portz: unknown field",
	}, {
		name: "wrong type names the field",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n" +
			"  - name: c\n    ports: [{containerPort: eighty}]\n"},
		want: "a.yaml: document 1 (line 1): spec.containers.ports.containerPort: got a string, want int32",
	}, {
		name:  "unknown kind",
		files: map[string]string{"a.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"},
		want:  `a.yaml: document 1 (line 1): kind: unsupported kind "Deployment" (apiVersion "apps/v1"); expected one of`,
	}, {
		name:  "missing kind",
		files: map[string]string{"a.yaml": "metadata: {name: d}\n"},
		want:  "a.yaml: document 1 (line 1): kind: missing",
	}, {
		name: "wrong apiVersion",
		files: map[string]string{"a.yaml": "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: AdminNetworkPolicy\n" +
			"metadata: {name: a}\n"},
		want: `a.yaml: document 1 (line 1): apiVersion: AdminNetworkPolicy must be "policy.networking.k8s.io/v1alpha1", ` +
			`not "policy.networking.k8s.io/v1alpha2"`,
	}, {
		name:  "missing name",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: Node\nmetadata: {}\n"},
		want:  "a.yaml: document 1 (line 1): metadata.name: required",
	}, {
		name: "duplicate across files",
		files: map[string]string{
			"a.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
			"b.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\n",
		},
		want: "b.yaml: document 1 (line 1): duplicate Pod default/p, first defined at ",
	}, {
		name: "same name, other namespace is no duplicate but the later error still shows",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\n---\n" +
			"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: b}\n---\nkind: Service\napiVersion: v1\n"},
		want: `a.yaml: document 3 (line 9): kind: unsupported kind "Service"`,
	}, {
		name: "duplicate key",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n---\napiVersion: v1\n" +
			"kind: Node\nmetadata:\n  name: m\n  name: m\n"},
		want: `a.yaml: document 2 (line 5): yaml: unmarshal errors:`,
	}, {
		name: "YAML syntax error names the file line",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: Node\nmetadata: {name: n}\n---\napiVersion: v1\n" +
			"kind: Node\nmetadata: [unclosed\n"},
		want: `a.yaml: document 2 (line 5): not a Kubernetes object: yaml: line 7:`,
	}, {
		name:  "cluster-scoped object with a namespace",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: Node\nmetadata: {name: n, namespace: x}\n"},
		want:  `a.yaml: document 1 (line 1): metadata.namespace: Node is cluster-scoped; remove the namespace "x"`,
	}, {
		name: "list item with an unknown field",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: List\nitems:\n" +
			"- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n" +
			"- {apiVersion: v1, kind: Namespace, metadata: {name: b}, spek: {}}\n"},
		want: "a.yaml: document 1 (line 1): items[1]: spek: unknown field",
	}, {
		name:  "list with an unknown field",
		files: map[string]string{"a.yaml": "apiVersion: v1\nkind: List\nitemz: []\n"},
		want:  "a.yaml: document 1 (line 1): itemz: unknown field",
	}, {
		name: "ANP rule with an unknown field",
		files: map[string]string{"a.yaml": "apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\n" +
			"metadata: {name: a}\nspec:\n  priority: 1\n  subject: {namespaces: {}}\n  egress:\n" +
			"  - {name: r, action: Allow, to: [{networks: [10.0.0.0/8]}]}\n  - {name: r, action: Allow, too: []}\n"},
		want: "a.yaml: document 1 (line 1): spec.egress[1].too: unknown field",
	}, {
		name:  "not an object",
		files: map[string]string{"a.yaml": "- 1\n- 2\n"},
		want:  "a.yaml: document 1 (line 1): not a Kubernetes object: got a YAML array, want a mapping",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			_, err := Load(dir)
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			got := strings.TrimPrefix(err.Error(), dir+string(filepath.Separator))
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %q\nwant %q...", got, tc.want)
			}
		})
	}
}

func TestLoadPathErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{"notes.txt": "x"})
	tests := []struct {
		name, path, want string
	}{
		{"missing path", filepath.Join(dir, "nope"), filepath.Join(dir, "nope") + ": no such file or directory"},
		{"folder without manifests", dir, dir + ": no .yaml, .yml, .json files in this folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.path)
			if err == nil || err.Error() != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestAddFSAndInlineObjects(t *testing.T) {
	fsys := fstest.MapFS{
		"example/cluster.yaml":  {Data: []byte(goodCluster)},
		"example/sub/list.json": {Data: []byte(goodList)},
	}
	set := NewSet()
	if err := set.AddFS(fsys, "example", "embedded"); err != nil {
		t.Fatal(err)
	}
	inline := Source{File: "test.yaml: objects[0]", Item: -1}
	if err := set.AddObject(inline,
		[]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"extra","namespace":"slytherin"}}`)); err != nil {
		t.Fatal(err)
	}
	if got := len(set.Snapshot().Pods); got != 3 {
		t.Errorf("got %d pods, want 3", got)
	}
	got := set.Sources()[ObjectKey{"Pod", "slytherin", "draco"}].String()
	if got != "embedded/sub/list.json: document 1 (line 1): items[1]" {
		t.Errorf("embedded source: got %q", got)
	}
	err := set.AddObject(Source{File: "test.yaml: objects[1]", Item: -1},
		[]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"draco","namespace":"slytherin"}}`))
	want := "test.yaml: objects[1]: duplicate Pod slytherin/draco, first defined at embedded/sub/list.json: document 1 " +
		"(line 1): items[1]"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}
