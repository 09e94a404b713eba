package vnode

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// The image every container runs, whatever its spec's image says: agnhost's, whose entrypoint and
// default command these are.
var (
	ImageEntrypoint = []string{"/agnhost"}
	ImageCmd        = []string{"pause"}
)

// DefaultPath is the PATH a container gets unless its env sets one, as container runtimes set it.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// EnvSource resolves the env values a container takes from the API: ConfigMap and Secret keys.
type EnvSource interface {
	ConfigMapKey(namespace, name, key string) (string, bool, error)
	SecretKey(namespace, name, key string) (string, bool, error)
}

// ContainerEnv is the container's environment as the kubelet builds it: PATH, HOSTNAME and HOME first,
// then env in order, each env value with $(VAR) expanded from what came before it, and
// valueFrom resolved (the downward API's fieldRef from pod, which carries the status the agent is about
// to write; configMapKeyRef and secretKeyRef through src).
func ContainerEnv(pod *corev1.Pod, c *corev1.Container, hostname string, src EnvSource) ([]string, error) {
	vars := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := vars[k]; !ok {
			order = append(order, k)
		}
		vars[k] = v
	}
	set("PATH", DefaultPath)
	set("HOSTNAME", hostname)
	set("HOME", "/root")
	if len(c.EnvFrom) > 0 {
		return nil, fmt.Errorf("envFrom is not supported by the virtual node")
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			set(e.Name, Expand(e.Value, vars))
			continue
		}
		v, err := envValueFrom(pod, e, src)
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", e.Name, err)
		}
		set(e.Name, v)
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+vars[k])
	}
	return out, nil
}

func envValueFrom(pod *corev1.Pod, e corev1.EnvVar, src EnvSource) (string, error) {
	from := e.ValueFrom
	optional := func(p *bool) bool { return p != nil && *p }
	switch {
	case from.FieldRef != nil:
		return FieldValue(pod, from.FieldRef.FieldPath)
	case from.ConfigMapKeyRef != nil:
		r := from.ConfigMapKeyRef
		v, ok, err := src.ConfigMapKey(pod.Namespace, r.Name, r.Key)
		if err != nil || (!ok && !optional(r.Optional)) {
			return "", fmt.Errorf("configMap %s key %s: found=%v %v", r.Name, r.Key, ok, err)
		}
		return v, nil
	case from.SecretKeyRef != nil:
		r := from.SecretKeyRef
		v, ok, err := src.SecretKey(pod.Namespace, r.Name, r.Key)
		if err != nil || (!ok && !optional(r.Optional)) {
			return "", fmt.Errorf("secret %s key %s: found=%v %v", r.Name, r.Key, ok, err)
		}
		return v, nil
	}
	return "", fmt.Errorf("valueFrom: only fieldRef, configMapKeyRef and secretKeyRef are supported")
}

// FieldValue is the downward API's value of path for pod, as env fieldRef resolves it.
func FieldValue(pod *corev1.Pod, path string) (string, error) {
	if key, ok := subscript(path, "metadata.labels"); ok {
		return pod.Labels[key], nil
	}
	if key, ok := subscript(path, "metadata.annotations"); ok {
		return pod.Annotations[key], nil
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.hostIP":
		return pod.Status.HostIP, nil
	case "status.podIP":
		return pod.Status.PodIP, nil
	case "status.hostIPs":
		var ips []string
		for _, ip := range pod.Status.HostIPs {
			ips = append(ips, ip.IP)
		}
		return strings.Join(ips, ","), nil
	case "status.podIPs":
		var ips []string
		for _, ip := range pod.Status.PodIPs {
			ips = append(ips, ip.IP)
		}
		return strings.Join(ips, ","), nil
	}
	return "", fmt.Errorf("fieldRef %q is not supported", path)
}

// subscript parses "<prefix>['<key>']".
func subscript(path, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(path, prefix+"['")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, "']")
}

// ContainerArgv is the command line the container runs, as a container runtime builds it from the
// image and the spec: command replaces the image's entrypoint and drops its default arguments, args
// replaces those, and both have $(VAR) expanded from the container's environment.
func ContainerArgv(c *corev1.Container, env []string) []string {
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var argv []string
	switch {
	case len(c.Command) > 0:
		argv = append(append(argv, c.Command...), c.Args...)
	case len(c.Args) > 0:
		argv = append(append(argv, ImageEntrypoint...), c.Args...)
	default:
		argv = append(append(argv, ImageEntrypoint...), ImageCmd...)
	}
	// The image's own entrypoint and command are not expanded; only what the spec gave is.
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = a
		if len(c.Command) > 0 || (i >= len(ImageEntrypoint) && len(c.Args) > 0) {
			out[i] = Expand(a, vars)
		}
	}
	return out
}

// Expand replaces $(VAR) in s with vars' value of VAR, leaves references to unknown variables as they
// are, and turns $$ into $ (so "$$(VAR)" stays literal), as the kubelet does.
func Expand(s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch next := s[i+1]; next {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := vars[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}
