package vnode

import (
	"context"
	"net"
	"runtime"
	"strconv"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// KubeletVersion is what the node reports: the version of the control plane it is built with.
const KubeletVersion = "v1.36.3"

// Heartbeat periods, the kubelet's defaults: the Lease every 10 s, the status at least every minute.
const (
	leaseDuration  = 40
	leaseRenew     = 10 * time.Second
	statusInterval = time.Minute
)

func snapshotOf(node *corev1.Node) *cluster.Snapshot {
	return &cluster.Snapshot{Nodes: []*corev1.Node{node}}
}

// register creates the Node, or takes over one of the same name, and writes its status.
func (a *Agent) register(ctx context.Context) error {
	labels := map[string]string{"kubernetes.io/hostname": a.cfg.NodeName, "kubernetes.io/os": "linux",
		"kubernetes.io/arch": runtime.GOARCH, "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": runtime.GOARCH}
	for k, v := range a.cfg.Labels {
		labels[k] = v
	}
	nodes := a.client.CoreV1().Nodes()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := nodes.Get(ctx, a.cfg.NodeName, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			node = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: a.cfg.NodeName, Labels: labels},
				Spec: corev1.NodeSpec{PodCIDR: a.cfg.PodCIDR.String(), PodCIDRs: []string{a.cfg.PodCIDR.String()}}}
			_, err = nodes.Create(ctx, node, metav1.CreateOptions{})
			return err
		}
		if err != nil {
			return err
		}
		for k, v := range labels {
			node.Labels[k] = v
		}
		_, err = nodes.Update(ctx, node, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		return err
	}
	if err := a.writeNodeStatus(ctx); err != nil {
		return err
	}
	return a.untaint(ctx)
}

// untaint removes the not-ready taint kube-apiserver puts on a new Node (admission plugin
// TaintNodesByCondition). The node lifecycle controller would take it off once the node is Ready; the
// cluster does not run that controller (tests stop and start agents at will), so the agent, Ready from
// its first status on, does.
func (a *Agent) untaint(ctx context.Context) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := a.client.CoreV1().Nodes().Get(ctx, a.cfg.NodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		var keep []corev1.Taint
		for _, t := range node.Spec.Taints {
			if t.Key != corev1.TaintNodeNotReady && t.Key != corev1.TaintNodeUnreachable {
				keep = append(keep, t)
			}
		}
		if len(keep) == len(node.Spec.Taints) {
			return nil
		}
		node.Spec.Taints = keep
		_, err = a.client.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{})
		return err
	})
}

// writeNodeStatus writes the node's status as a kubelet does: addresses (InternalIP on the OVN switch;
// Hostname localhost, where kube-apiserver reaches the kubelet API), capacity, conditions with a fresh
// heartbeat, the kubelet endpoint and node info.
func (a *Agent) writeNodeStatus(ctx context.Context) error {
	_, portStr, err := net.SplitHostPort(a.cfg.Listen)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return err
	}
	now := metav1.Now()
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node, err := a.client.CoreV1().Nodes().Get(ctx, a.cfg.NodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		capacity := corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse("8"),
			corev1.ResourceMemory:           resource.MustParse("16Gi"),
			corev1.ResourcePods:             resource.MustParse("110"),
			corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
		}
		st := &node.Status
		st.Capacity, st.Allocatable = capacity, capacity.DeepCopy()
		st.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: a.cfg.NodeIP.String()},
			{Type: corev1.NodeHostName, Address: "localhost"}}
		st.DaemonEndpoints.KubeletEndpoint.Port = int32(port)
		st.NodeInfo = corev1.NodeSystemInfo{MachineID: a.cfg.NodeName, SystemUUID: a.cfg.NodeName,
			BootID: a.cfg.NodeName, KernelVersion: kernelVersion(), OSImage: "tieracl virtual node",
			ContainerRuntimeVersion: "tieracl-vnode://" + KubeletVersion, KubeletVersion: KubeletVersion,
			OperatingSystem: "linux", Architecture: runtime.GOARCH}
		st.Conditions = mergeConditions(st.Conditions, now, []corev1.NodeCondition{
			{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory"},
			{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure"},
			{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID"},
			{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
				Message: "virtual node agent is posting ready status"},
		})
		_, err = a.client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
		return err
	})
}

// mergeConditions sets want's conditions with heartbeat now, keeping a condition's transition time
// while its status stays.
func mergeConditions(have []corev1.NodeCondition, now metav1.Time, want []corev1.NodeCondition) []corev1.NodeCondition {
	old := map[corev1.NodeConditionType]corev1.NodeCondition{}
	for _, c := range have {
		old[c.Type] = c
	}
	out := make([]corev1.NodeCondition, 0, len(want))
	for _, c := range want {
		c.LastHeartbeatTime, c.LastTransitionTime = now, now
		if o, ok := old[c.Type]; ok && o.Status == c.Status {
			c.LastTransitionTime = o.LastTransitionTime
		}
		out = append(out, c)
	}
	return out
}

// heartbeat renews the node's Lease and rewrites its status until ctx ends.
func (a *Agent) heartbeat(ctx context.Context) {
	lease := time.NewTicker(leaseRenew)
	status := time.NewTicker(statusInterval)
	defer lease.Stop()
	defer status.Stop()
	for {
		if err := a.renewLease(ctx); err != nil && ctx.Err() == nil {
			a.log.Printf("lease: %v", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-lease.C:
		case <-status.C:
			if err := a.writeNodeStatus(ctx); err != nil && ctx.Err() == nil {
				a.log.Printf("node status: %v", err)
			}
		}
	}
}

func (a *Agent) renewLease(ctx context.Context) error {
	leases := a.client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	now := metav1.NewMicroTime(time.Now())
	l, err := leases.Get(ctx, a.cfg.NodeName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		l = &coordinationv1.Lease{ObjectMeta: metav1.ObjectMeta{Name: a.cfg.NodeName, Namespace: corev1.NamespaceNodeLease},
			Spec: coordinationv1.LeaseSpec{HolderIdentity: ptr.To(a.cfg.NodeName),
				LeaseDurationSeconds: ptr.To(int32(leaseDuration)), RenewTime: &now}}
		if node, err := a.client.CoreV1().Nodes().Get(ctx, a.cfg.NodeName, metav1.GetOptions{}); err == nil {
			// Owned by its Node, as the kubelet's is, so the garbage collector removes it with the Node.
			l.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}}
		}
		_, err = leases.Create(ctx, l, metav1.CreateOptions{})
		return err
	}
	if err != nil {
		return err
	}
	l.Spec.RenewTime = &now
	l.Spec.HolderIdentity = ptr.To(a.cfg.NodeName)
	_, err = leases.Update(ctx, l, metav1.UpdateOptions{})
	return err
}

func snapshotOfPod(pod *corev1.Pod) *cluster.Snapshot {
	return &cluster.Snapshot{Pods: []*corev1.Pod{pod}}
}
