package vnode

import (
	"context"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConfigMapKey reads a ConfigMap key through the API, for env valueFrom.
func (a *Agent) ConfigMapKey(namespace, name, key string) (string, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cm, err := a.client.CoreV1().ConfigMaps(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	v, ok := cm.Data[key]
	return v, ok, nil
}

// SecretKey reads a Secret key through the API, for env valueFrom.
func (a *Agent) SecretKey(namespace, name, key string) (string, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := a.client.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", false, nil
	} else if err != nil {
		return "", false, err
	}
	v, ok := s.Data[key]
	return string(v), ok, nil
}

// dropSCTP removes agnhost porter's SCTP listener variables from env when the kernel has no SCTP, and
// says so in a Warning event on the pod. Porter exits as soon as one listener fails, which would take
// its TCP and UDP listeners down and leave the container crash-looping; without the variables it serves
// the rest and stays up. Nothing listens on the SCTP ports, so no SCTP probe can pass.
func (a *Agent) dropSCTP(p *podRun, container string, env []string) []string {
	if a.sctp {
		return env
	}
	var out, dropped []string
	for _, kv := range env {
		if strings.HasPrefix(kv, sctpEnvPrefix) {
			k, _, _ := strings.Cut(kv, "=")
			dropped = append(dropped, k)
			continue
		}
		out = append(out, kv)
	}
	if len(dropped) > 0 {
		a.event(p, corev1.EventTypeWarning, "SCTPUnsupported", "container "+container+": this node's kernel has "+
			"no SCTP; not serving "+strings.Join(dropped, ", "))
	}
	return out
}

// event records an event on the pod, as the kubelet's recorder would; failures are only logged.
func (a *Agent) event(p *podRun, typ, reason, msg string) {
	ns, name, _ := strings.Cut(p.key, "/")
	now := metav1.Now()
	ev := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{GenerateName: name + ".", Namespace: ns},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: ns, Name: name,
			UID: p.pod.UID},
		Type: typ, Reason: reason, Message: msg, Source: corev1.EventSource{Component: "kubelet", Host: a.cfg.NodeName},
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.client.CoreV1().Events(ns).Create(ctx, ev, metav1.CreateOptions{}); err != nil {
		a.log.Printf("event %s on %s: %v", reason, p.key, err)
	}
	a.log.Printf("pod %s: %s: %s", p.key, reason, msg)
}
