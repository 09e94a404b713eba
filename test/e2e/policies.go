package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// Policy kinds, as the API names them.
const (
	KindANP           = "AdminNetworkPolicy"
	KindBANP          = "BaselineAdminNetworkPolicy"
	KindNetworkPolicy = "NetworkPolicy"
	KindCNP           = "ClusterNetworkPolicy"
)

var policyResources = map[string]schema.GroupVersionResource{
	KindANP:           {Group: "policy.networking.k8s.io", Version: "v1alpha1", Resource: "adminnetworkpolicies"},
	KindBANP:          {Group: "policy.networking.k8s.io", Version: "v1alpha1", Resource: "baselineadminnetworkpolicies"},
	KindNetworkPolicy: {Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"},
	KindCNP:           {Group: "policy.networking.k8s.io", Version: "v1beta1", Resource: "clusternetworkpolicies"},
}

// PolicyKey names one policy object.
type PolicyKey struct{ Kind, Namespace, Name string }

func (k PolicyKey) String() string {
	if k.Namespace == "" {
		return k.Kind + " " + k.Name
	}
	return k.Kind + " " + k.Namespace + "/" + k.Name
}

// PolicySet is a set of policy objects, as the API would take them.
type PolicySet map[PolicyKey]*unstructured.Unstructured

// PoliciesOf returns the snapshot's ANPs, BANPs, ClusterNetworkPolicies and NetworkPolicies.
func PoliciesOf(snap *cluster.Snapshot) (PolicySet, error) {
	out := PolicySet{}
	add := func(kind, apiVersion string, obj runtime.Object) error {
		raw, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return err
		}
		u := &unstructured.Unstructured{Object: raw}
		u.SetAPIVersion(apiVersion)
		u.SetKind(kind)
		delete(u.Object, "status")
		u.SetResourceVersion("")
		u.SetUID("")
		u.SetCreationTimestamp(metav1.Time{})
		u.SetGeneration(0)
		out[PolicyKey{kind, u.GetNamespace(), u.GetName()}] = u
		return nil
	}
	for _, p := range snap.ANPs {
		if err := add(KindANP, "policy.networking.k8s.io/v1alpha1", p); err != nil {
			return nil, err
		}
	}
	for _, p := range snap.BANPs {
		if err := add(KindBANP, "policy.networking.k8s.io/v1alpha1", p); err != nil {
			return nil, err
		}
	}
	for _, p := range snap.CNPs {
		if err := add(KindCNP, "policy.networking.k8s.io/v1beta1", p); err != nil {
			return nil, err
		}
	}
	for _, p := range snap.NetworkPolicies {
		if err := add(KindNetworkPolicy, "networking.k8s.io/v1", p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Policies writes policies through the API and remembers what it wrote.
type Policies struct {
	client  dynamic.Interface
	applied PolicySet
}

// NewPolicies starts with no policies written.
func NewPolicies(client dynamic.Interface) *Policies {
	return &Policies{client: client, applied: PolicySet{}}
}

// Apply brings the API's policies from what it last wrote to want: it creates the new ones, replaces the
// spec of changed ones with a JSON patch (the API server bumps their generation) and deletes the ones
// want lacks, in that order and by key within each step. It returns the writes, one line each.
func (p *Policies) Apply(ctx context.Context, want PolicySet) ([]string, error) {
	var writes []string
	for _, k := range sortedKeys(want) {
		if _, ok := p.applied[k]; ok {
			continue
		}
		if _, err := p.resource(k).Create(ctx, want[k].DeepCopy(), metav1.CreateOptions{}); err != nil {
			return writes, fmt.Errorf("create %s: %w", k, err)
		}
		p.applied[k] = want[k].DeepCopy()
		writes = append(writes, "create "+k.String())
	}
	for _, k := range sortedKeys(want) {
		old := p.applied[k]
		if apiequality.Semantic.DeepEqual(old.Object["spec"], want[k].Object["spec"]) {
			continue
		}
		if err := p.PatchSpec(ctx, k, want[k].Object["spec"]); err != nil {
			return writes, err
		}
		p.applied[k] = want[k].DeepCopy()
		writes = append(writes, "update "+k.String()+" spec")
	}
	for _, k := range sortedKeys(p.applied) {
		if _, ok := want[k]; ok {
			continue
		}
		if err := p.Delete(ctx, k); err != nil {
			return writes, err
		}
		writes = append(writes, "delete "+k.String())
	}
	return writes, nil
}

// PatchSpec replaces the policy's whole spec with a JSON patch; Apply's record of it changes too.
func (p *Policies) PatchSpec(ctx context.Context, k PolicyKey, spec any) error {
	patch, err := json.Marshal([]map[string]any{{"op": "replace", "path": "/spec", "value": spec}})
	if err != nil {
		return err
	}
	if _, err := p.resource(k).Patch(ctx, k.Name, types.JSONPatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch %s spec: %w", k, err)
	}
	if old, ok := p.applied[k]; ok {
		old.Object["spec"] = runtime.DeepCopyJSONValue(spec)
	}
	return nil
}

// Delete deletes one policy; one already gone is no error.
func (p *Policies) Delete(ctx context.Context, k PolicyKey) error {
	err := p.resource(k).Delete(ctx, k.Name, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete %s: %w", k, err)
	}
	delete(p.applied, k)
	return nil
}

// DeleteAll deletes every policy it wrote, as upstream's cleanup deletes a test's manifests.
func (p *Policies) DeleteAll(ctx context.Context) error {
	_, err := p.Apply(ctx, PolicySet{})
	return err
}

func (p *Policies) resource(k PolicyKey) dynamic.ResourceInterface {
	r := p.client.Resource(policyResources[k.Kind])
	if k.Namespace != "" {
		return r.Namespace(k.Namespace)
	}
	return r
}

func sortedKeys(s PolicySet) []PolicyKey {
	keys := make([]PolicyKey, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	return keys
}
