package harness

import (
	"testing"
	"time"
)

func TestParsePath(t *testing.T) {
	cases := []struct {
		path string
		want apiPath
	}{
		{"/api/v1/namespaces/ns1/pods/p-0/exec", apiPath{version: "v1", namespace: "ns1", resource: "pods",
			name: "p-0", subresource: "exec"}},
		{"/api/v1/namespaces/ns1", apiPath{version: "v1", resource: "namespaces", name: "ns1"}},
		{"/api/v1/namespaces/ns1/status", apiPath{version: "v1", resource: "namespaces", name: "ns1",
			subresource: "status"}},
		{"/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies/a", apiPath{
			group: "policy.networking.k8s.io", version: "v1alpha1", resource: "adminnetworkpolicies", name: "a"}},
		{"/apis/networking.k8s.io/v1/namespaces/n/networkpolicies", apiPath{group: "networking.k8s.io",
			version: "v1", namespace: "n", resource: "networkpolicies"}},
		{"/version", apiPath{}},
	}
	for _, c := range cases {
		if got := parsePath(c.path); got != c.want {
			t.Errorf("parsePath(%q) = %+v, want %+v", c.path, got, c.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	evs := []Event{
		{At: at(0), Kind: KindWrite, Verb: "POST", Resource: "statefulsets", Status: 201},
		{At: at(10), Kind: KindWrite, Verb: "POST", Resource: "adminnetworkpolicies", Status: 201, Watched: true},
		{At: at(40), Kind: KindProgrammed, Resource: "adminnetworkpolicies", Since: 30 * time.Millisecond},
		{At: at(60), Kind: KindExec},
		{At: at(70), Kind: KindExec},
		{At: at(100), Kind: KindWrite, Verb: "PATCH", Resource: "pods", Status: 200},
		{At: at(105), Kind: KindExec},
		{At: at(200), Kind: KindWrite, Verb: "PUT", Resource: "adminnetworkpolicies", Status: 409},
		{At: at(300), Kind: KindWrite, Verb: "PUT", Resource: "adminnetworkpolicies", Status: 200, Watched: true},
		{At: at(400), Kind: KindExec},
	}
	l := Summarize(evs)
	if l.Programmed.Count != 1 || l.Programmed.P50 != Duration(30*time.Millisecond) || l.Unprogrammed != 1 {
		t.Errorf("programmed %+v, unprogrammed %d", l.Programmed, l.Unprogrammed)
	}
	want := Percentiles{Count: 3, Min: Duration(5 * time.Millisecond), P50: Duration(50 * time.Millisecond),
		P99: Duration(100 * time.Millisecond), Max: Duration(100 * time.Millisecond)}
	if l.ProbeGap != want {
		t.Errorf("probe gap %+v, want %+v", l.ProbeGap, want)
	}
}
