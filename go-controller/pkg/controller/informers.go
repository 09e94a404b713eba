package controller

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	npinformers "sigs.k8s.io/network-policy-api/pkg/client/informers/externalversions"
)

// informers are the watched caches the worker reads objects from.
type informerSet struct {
	kube   informers.SharedInformerFactory
	policy npinformers.SharedInformerFactory
	synced []cache.InformerSynced

	namespaces, pods, nodes, netpols, anps, banps cache.SharedIndexInformer
}

func newInformers(c *Controller) (*informerSet, error) {
	// No periodic resync: every change arrives as an event, and a resync would only re-check everything.
	s := &informerSet{
		kube:   informers.NewSharedInformerFactory(c.cfg.Kube, 0),
		policy: npinformers.NewSharedInformerFactory(c.cfg.Policy, 0),
	}
	s.namespaces = s.kube.Core().V1().Namespaces().Informer()
	s.pods = s.kube.Core().V1().Pods().Informer()
	s.nodes = s.kube.Core().V1().Nodes().Informer()
	s.netpols = s.kube.Networking().V1().NetworkPolicies().Informer()
	s.anps = s.policy.Policy().V1alpha1().AdminNetworkPolicies().Informer()
	s.banps = s.policy.Policy().V1alpha1().BaselineAdminNetworkPolicies().Informer()
	// Pods are the bulk of the cache; drop what policy never reads.
	if err := s.pods.SetTransform(trimPod); err != nil {
		return nil, err
	}
	for kind, inf := range map[Kind]cache.SharedIndexInformer{KindNamespace: s.namespaces, KindPod: s.pods,
		KindNode: s.nodes, KindNetworkPolicy: s.netpols, KindANP: s.anps, KindBANP: s.banps} {
		reg, err := inf.AddEventHandler(enqueueHandler(c.queue, kind))
		if err != nil {
			return nil, err
		}
		s.synced = append(s.synced, reg.HasSynced)
	}
	return s, nil
}

func (s *informerSet) start(stop <-chan struct{}) {
	s.kube.Start(stop)
	s.policy.Start(stop)
}

// enqueueHandler adds the key of every changed object to the queue.
func enqueueHandler(q *queue, kind Kind) cache.ResourceEventHandler {
	add := func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		m, err := meta.Accessor(obj)
		if err != nil {
			return
		}
		q.add(Key{Kind: kind, Namespace: m.GetNamespace(), Name: m.GetName()})
	}
	return cache.ResourceEventHandlerFuncs{AddFunc: add, UpdateFunc: func(_, obj any) { add(obj) }, DeleteFunc: add}
}

// trimPod keeps the fields network policy reads (labels, host network, node, container ports, phase and
// IPs), so 20,000 pods stay cheap to hold.
func trimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	out := &corev1.Pod{TypeMeta: p.TypeMeta}
	out.Name, out.Namespace, out.UID, out.Labels, out.ResourceVersion = p.Name, p.Namespace, p.UID, p.Labels, p.ResourceVersion
	out.Spec.HostNetwork, out.Spec.NodeName = p.Spec.HostNetwork, p.Spec.NodeName
	for _, c := range p.Spec.Containers {
		if len(c.Ports) > 0 {
			out.Spec.Containers = append(out.Spec.Containers, corev1.Container{Name: c.Name, Ports: c.Ports})
		}
	}
	out.Status.Phase, out.Status.PodIP, out.Status.PodIPs = p.Status.Phase, p.Status.PodIP, p.Status.PodIPs
	return out, nil
}
