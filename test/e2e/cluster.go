package e2e

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/test/conformance"
)

// ConformanceSuite is the transcribed conformance suite the e2e runs through the API.
var ConformanceSuite = conformance.V017

// ConformanceCluster is the suite's cluster.yaml: the namespaces, nodes and pods every transcribed
// conformance file probes.
func ConformanceCluster() (*cluster.Snapshot, error) {
	set := manifest.NewSet()
	if err := set.AddFS(conformance.FS, ConformanceSuite.ClusterFile(), conformance.Display); err != nil {
		return nil, err
	}
	return set.Snapshot(), nil
}

// Served is, per pod ("<namespace>/<pod>"), the ports it must serve.
type Served map[string][]corev1.ContainerPort

// ProbedPorts collects, from every policy test file of the conformance catalog, the protocol and port
// each probe connects to, by destination pod. A probe to a node's address lands on the node's first
// host-network pod, as upstream's probes to a host-network pod's IP do. Upstream's agnhost containers
// serve these ports whether or not the pod declares them; the e2e's pods declare them, so the agent, which
// serves declared ports, serves them too.
func ProbedPorts(snap *cluster.Snapshot) (Served, error) {
	catalog, err := ConformanceSuite.Catalog()
	if err != nil {
		return nil, err
	}
	hostPod := map[string]string{} // node -> first host-network pod on it
	for _, p := range sortedPods(snap) {
		if p.Spec.HostNetwork && hostPod[p.Spec.NodeName] == "" {
			hostPod[p.Spec.NodeName] = p.Namespace + "/" + p.Name
		}
	}
	out := Served{}
	seen := map[string]bool{}
	for _, t := range catalog.Tests {
		for _, s := range t.Subtests {
			suite, err := policytest.LoadFS(conformance.FS, s.File, conformance.Display)
			if err != nil {
				return nil, err
			}
			for i, f := range suite.Flows {
				dst := f.Dst.Pod
				if dst == "" && f.Dst.Node != "" {
					dst = hostPod[f.Dst.Node]
				}
				if dst == "" {
					return nil, fmt.Errorf("%s: probes[%d]: %s is neither a pod nor a node with a host-network pod", suite.Path, i,
						f.Dst)
				}
				id := fmt.Sprintf("%s %s %d", dst, f.Protocol, f.Port)
				if !seen[id] {
					seen[id] = true
					out[dst] = append(out[dst], corev1.ContainerPort{ContainerPort: f.Port, Protocol: f.Protocol})
				}
			}
		}
	}
	return out, nil
}

// CreateCluster creates the snapshot's namespaces, nodes (status.addresses through the status
// subresource) and pods through the API. Pods get no status: the agent gives them one. Each pod carries
// AnnotationPodIPs with the snapshot's status.podIPs (host-network pods excepted), and declares the ports
// of serve it does not declare yet, unnamed (named-port resolution is unchanged), each on the container
// named after it if there is one. It returns the pods' keys.
func CreateCluster(ctx context.Context, client kubernetes.Interface, snap *cluster.Snapshot,
	serve Served) ([]string, error) {
	for _, ns := range snap.Namespaces {
		obj := &corev1.Namespace{ObjectMeta: fresh(ns.ObjectMeta)}
		if _, err := client.CoreV1().Namespaces().Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return nil, fmt.Errorf("namespace %s: %w", ns.Name, err)
		}
	}
	for _, n := range snap.Nodes {
		obj := &corev1.Node{ObjectMeta: fresh(n.ObjectMeta), Spec: n.Spec}
		created, err := client.CoreV1().Nodes().Create(ctx, obj, metav1.CreateOptions{})
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.Name, err)
		}
		created.Status.Addresses = n.Status.Addresses
		if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
			return nil, fmt.Errorf("node %s status: %w", n.Name, err)
		}
	}
	var keys []string
	for _, p := range sortedPods(snap) {
		key := p.Namespace + "/" + p.Name
		obj := &corev1.Pod{ObjectMeta: fresh(p.ObjectMeta), Spec: *p.Spec.DeepCopy()}
		if !p.Spec.HostNetwork {
			var ips []string
			for _, ip := range cluster.PodIPs(p) {
				ips = append(ips, ip.String())
			}
			if obj.Annotations == nil {
				obj.Annotations = map[string]string{}
			}
			obj.Annotations[AnnotationPodIPs] = strings.Join(ips, ",")
		}
		declarePorts(&obj.Spec, serve[key])
		if _, err := client.CoreV1().Pods(p.Namespace).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return nil, fmt.Errorf("pod %s: %w", key, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// fresh is an object's metadata for a create: name, namespace, labels and annotations only.
func fresh(m metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: m.Name, Namespace: m.Namespace, Labels: m.Labels, Annotations: m.Annotations}
}

// declarePorts adds the ports the spec does not declare yet, unnamed, each to the container whose name
// ends in "-<port>" or holds "-<port>-" (upstream names a server container after its port), else to the
// first container.
func declarePorts(spec *corev1.PodSpec, ports []corev1.ContainerPort) {
	declared := map[string]bool{}
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			declared[portID(p)] = true
		}
	}
	for _, p := range ports {
		if declared[portID(p)] || len(spec.Containers) == 0 {
			continue
		}
		declared[portID(p)] = true
		num := "-" + strconv.Itoa(int(p.ContainerPort))
		target := 0
		for i, c := range spec.Containers {
			if strings.HasSuffix(c.Name, num) || strings.Contains(c.Name, num+"-") {
				target = i
				break
			}
		}
		spec.Containers[target].Ports = append(spec.Containers[target].Ports, p)
	}
}

func portID(p corev1.ContainerPort) string {
	proto := p.Protocol
	if proto == "" {
		proto = corev1.ProtocolTCP
	}
	return path.Join(string(proto), strconv.Itoa(int(p.ContainerPort)))
}

func sortedPods(snap *cluster.Snapshot) []*corev1.Pod {
	pods := append([]*corev1.Pod(nil), snap.Pods...)
	sort.Slice(pods, func(i, j int) bool {
		return pods[i].Namespace+"/"+pods[i].Name < pods[j].Namespace+"/"+pods[j].Name
	})
	return pods
}
