package harness

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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
		{At: at(60), Kind: KindExec, Since: 20 * time.Millisecond},
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
	if l.ExecSetup.Count != 4 || l.ExecSetup.Max != Duration(20*time.Millisecond) {
		t.Errorf("exec setup %+v", l.ExecSetup)
	}
	if l.ProbeGap != want {
		t.Errorf("probe gap %+v, want %+v", l.ProbeGap, want)
	}
}

// TestRecorder drives the wrapped transport against a fake API server: a policy create, then a watch
// that reports the policy Programmed after a delay, and an exec.
func TestRecorder(t *testing.T) {
	const delay = 50 * time.Millisecond
	const anps = "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies"
	// The handlers discard write errors: a failed write fails the client's request, which the test checks.
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+anps, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprint(w, `{"metadata":{"name":"a","generation":1,"resourceVersion":"7"}}`)
	})
	mux.HandleFunc("GET "+anps, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("watch") != "true" || q.Get("fieldSelector") != "metadata.name=a" || q.Get("resourceVersion") != "7" {
			http.Error(w, "unexpected watch "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		w.(http.Flusher).Flush()
		_, _ = fmt.Fprint(w, `{"type":"MODIFIED","object":{"metadata":{"name":"a","generation":1},"status":{}}}`+"\n")
		w.(http.Flusher).Flush()
		time.Sleep(delay)
		_, _ = fmt.Fprint(w, `{"type":"MODIFIED","object":{"metadata":{"name":"a","generation":1},"status":{"conditions":`+
			`[{"type":"Programmed","status":"True","observedGeneration":1}]}}}`+"\n")
	})
	mux.HandleFunc("POST /api/v1/namespaces/ns/pods/p-0/exec", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	rec := &Recorder{Host: srv.URL, Watch: http.DefaultTransport, Timeout: 5 * time.Second}
	client := &http.Client{Transport: rec.Wrap(http.DefaultTransport)}
	resp, err := client.Post(srv.URL+anps, "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close() // the test is done with the response
	if !strings.Contains(string(body), `"generation":1`) {
		t.Fatalf("the suite must still read the response body, got %q", body)
	}
	resp, err = client.Post(srv.URL+"/api/v1/namespaces/ns/pods/p-0/exec?command=/agnhost&command=connect", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close() // the test is done with the response

	evs := rec.Events()
	kinds := []string{}
	for _, ev := range evs {
		kinds = append(kinds, ev.Kind)
	}
	if want := []string{KindWrite, KindExec, KindProgrammed}; !slices.Equal(kinds, want) {
		t.Fatalf("events %v, want %v: %+v", kinds, want, evs)
	}
	if w := evs[0]; !w.Watched || w.Name != "a" || w.Generation != 1 || w.Status != http.StatusCreated {
		t.Errorf("write event %+v", w)
	}
	if e := evs[1]; !slices.Equal(e.Command, []string{"/agnhost", "connect"}) || e.Name != "p-0" ||
		e.Status != http.StatusOK || e.Since <= 0 {
		t.Errorf("exec event %+v", e)
	}
	if p := evs[2]; p.Since < delay || p.Since > delay+2*time.Second {
		t.Errorf("programmed after %v, want about %v", p.Since, delay)
	}
}
