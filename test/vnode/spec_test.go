package vnode

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"HOST_IP": "172.18.0.11", "PORT": "80"}
	for _, tc := range []struct{ in, want string }{
		{"--udp-listen-addresses=$(HOST_IP)", "--udp-listen-addresses=172.18.0.11"},
		{"$(HOST_IP):$(PORT)", "172.18.0.11:80"},
		{"$(UNKNOWN) stays", "$(UNKNOWN) stays"},
		{"$$(HOST_IP) is escaped", "$(HOST_IP) is escaped"},
		{"$$ alone", "$ alone"},
		{"unclosed $(HOST_IP", "unclosed $(HOST_IP"},
		{"trailing $", "trailing $"},
		{"$HOST_IP is shell syntax", "$HOST_IP is shell syntax"},
	} {
		if got := Expand(tc.in, vars); got != tc.want {
			t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestContainerArgv(t *testing.T) {
	env := []string{"HOST_IP=172.18.0.11"}
	for _, tc := range []struct {
		name          string
		command, args []string
		want          []string
	}{
		{"image defaults", nil, nil, []string{"/agnhost", "pause"}},
		{"args replace CMD", nil, []string{"netexec", "--http-port=$(HOST_IP)"},
			[]string{"/agnhost", "netexec", "--http-port=172.18.0.11"}},
		{"command drops CMD", []string{"/bin/bash", "-c", "/agnhost porter"}, nil,
			[]string{"/bin/bash", "-c", "/agnhost porter"}},
		{"command and args", []string{"/agnhost"}, []string{"connect", "$(HOST_IP):80"},
			[]string{"/agnhost", "connect", "172.18.0.11:80"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &corev1.Container{Command: tc.command, Args: tc.args}
			if got := ContainerArgv(c, env); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

type fakeSource map[string]string

func (f fakeSource) ConfigMapKey(ns, name, key string) (string, bool, error) {
	v, ok := f["cm/"+ns+"/"+name+"/"+key]
	return v, ok, nil
}

func (f fakeSource) SecretKey(ns, name, key string) (string, bool, error) {
	v, ok := f["secret/"+ns+"/"+name+"/"+key]
	return v, ok, nil
}

func TestContainerEnv(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", Labels: map[string]string{"app": "x"}},
		Spec:   corev1.PodSpec{NodeName: "vnode-1"},
		Status: corev1.PodStatus{HostIP: "172.18.0.11", PodIP: "10.244.1.2"}}
	field := func(path string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}
	}
	src := fakeSource{"cm/ns/conf/mode": "fast", "secret/ns/creds/user": "alice"}
	c := &corev1.Container{Env: []corev1.EnvVar{
		{Name: "HOST_IP", ValueFrom: field("status.hostIP")},
		{Name: "POD_IP", ValueFrom: field("status.podIP")},
		{Name: "NODE", ValueFrom: field("spec.nodeName")},
		{Name: "APP", ValueFrom: field("metadata.labels['app']")},
		{Name: "ADDR", Value: "$(HOST_IP):80"},
		{Name: "MODE", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "conf"}, Key: "mode"}}},
		{Name: "USER", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "user"}}},
		{Name: "PATH", Value: "/opt/bin:$(PATH)"},
	}}
	got, err := ContainerEnv(pod, c, "p", src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PATH=/opt/bin:" + DefaultPath, "HOSTNAME=p", "HOME=/root", "HOST_IP=172.18.0.11",
		"POD_IP=10.244.1.2", "NODE=vnode-1", "APP=x", "ADDR=172.18.0.11:80", "MODE=fast", "USER=alice"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}

	for _, tc := range []struct {
		name string
		env  corev1.EnvVar
		want string
	}{
		{"unknown field", corev1.EnvVar{Name: "X", ValueFrom: field("spec.bogus")}, "not supported"},
		{"missing ConfigMap key", corev1.EnvVar{Name: "X", ValueFrom: &corev1.EnvVarSource{
			ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "nope"},
				Key: "k"}}}, "configMap nope key k"},
		{"resourceFieldRef", corev1.EnvVar{Name: "X", ValueFrom: &corev1.EnvVarSource{
			ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.cpu"}}}, "only fieldRef"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ContainerEnv(pod, &corev1.Container{Env: []corev1.EnvVar{tc.env}}, "p", src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestIPAM(t *testing.T) {
	m := newIPAM(netip.MustParsePrefix("10.244.1.0/29"), netip.MustParseAddr("10.244.1.3"))
	pod := func(name, ip string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"}}
		if ip != "" {
			p.Status.PodIPs = []corev1.PodIP{{IP: ip}}
		}
		return p
	}
	for _, tc := range []struct {
		pod  *corev1.Pod
		want string
	}{
		{pod("a", ""), "10.244.1.2"},
		{pod("b", ""), "10.244.1.4"}, // .3 is the node's
		{pod("a", ""), "10.244.1.2"}, // a pod keeps its address
		{pod("c", "10.244.1.6"), "10.244.1.6"},
		{pod("d", "10.244.1.6"), "10.244.1.5"}, // taken: the next free one
		{pod("e", "10.9.9.9"), "10.244.1.7"},   // outside the CIDR
	} {
		got, err := m.assign(tc.pod)
		if err != nil || got.String() != tc.want {
			t.Errorf("assign(%s) = %v, %v; want %s", tc.pod.Name, got, err, tc.want)
		}
	}
	if _, err := m.assign(pod("f", "")); err == nil {
		t.Error("assign on a used-up CIDR succeeded")
	}
	m.release("ns/b")
	if got, err := m.assign(pod("f", "")); err != nil || got.String() != "10.244.1.4" {
		t.Errorf("after release, assign = %v, %v; want 10.244.1.4", got, err)
	}
}
