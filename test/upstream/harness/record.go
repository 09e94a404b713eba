// Package harness holds what the upstream conformance harnesses share: a transport wrapper that records
// the suite's API writes and pods/exec probes with their times, the write-to-Programmed watch, the
// latency summary, and the verdict on a go test run of the unchanged suite.
package harness

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Event is one API call the suite made, or one policy observed Programmed.
type Event struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"` // KindWrite, KindExec or KindProgrammed
	Verb       string    `json:"verb,omitempty"`
	Group      string    `json:"group,omitempty"`
	Version    string    `json:"version,omitempty"`
	Resource   string    `json:"resource,omitempty"`
	Namespace  string    `json:"namespace,omitempty"`
	Name       string    `json:"name,omitempty"`
	Generation int64     `json:"generation,omitempty"`
	Status     int       `json:"status,omitempty"`
	Command    []string  `json:"command,omitempty"`
	// Watched: a policy write whose Programmed condition the recorder waits for.
	Watched bool `json:"watched,omitempty"`
	// Since is, for KindProgrammed, the time from the write's response to the Programmed condition
	// for that generation being seen; for KindExec, the time to set up the exec stream.
	Since time.Duration `json:"since,omitempty"`
}

// Event kinds.
const (
	KindWrite      = "write"
	KindExec       = "exec"
	KindProgrammed = "programmed"
)

// programmedResources are the kinds on which tieracl-controller sets a Programmed condition.
var programmedResources = map[string]bool{
	"adminnetworkpolicies": true, "baselineadminnetworkpolicies": true, "clusternetworkpolicies": true,
}

// Recorder wraps the suite's transport. It keeps every write and exec in order and, for each write of a
// policy that tieracl reports on, watches until the controller says it programmed that generation.
type Recorder struct {
	// Host is the API server's URL (rest.Config.Host); Watch is a transport with the same credentials
	// that the watches use, not wrapped by the recorder.
	Host  string
	Watch http.RoundTripper
	// Timeout bounds each Programmed watch.
	Timeout time.Duration

	mu      sync.Mutex
	events  []Event
	pending sync.WaitGroup
}

// Wrap is a rest.Config WrapTransport.
func (r *Recorder) Wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripper{r: r, next: rt}
}

type roundTripper struct {
	r    *Recorder
	next http.RoundTripper
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	p := parsePath(req.URL.Path)
	if p.subresource == "exec" && p.resource == "pods" {
		ev := Event{At: time.Now(), Kind: KindExec, Namespace: p.namespace, Name: p.name,
			Command: req.URL.Query()["command"]}
		resp, err := t.next.RoundTrip(req)
		ev.Since = time.Since(ev.At) // the stream is set up: the command starts now
		if resp != nil {
			ev.Status = resp.StatusCode
		}
		t.r.add(ev)
		return resp, err
	}
	if req.Method == http.MethodGet || req.Method == http.MethodHead || p.resource == "" {
		return t.next.RoundTrip(req)
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	ev := Event{At: time.Now(), Kind: KindWrite, Verb: req.Method, Group: p.group, Version: p.version,
		Resource: p.resource, Namespace: p.namespace, Name: p.name, Status: resp.StatusCode}
	if resp.StatusCode/100 == 2 && req.Method != http.MethodDelete && p.subresource == "" &&
		programmedResources[p.resource] {
		body, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close() // fully read: the suite gets the copy below
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if rerr == nil {
			var obj object
			if json.Unmarshal(body, &obj) == nil {
				ev.Name, ev.Generation = obj.Metadata.Name, obj.Metadata.Generation
				if !obj.programmed(ev.Generation) { // an update that left the spec alone changes nothing
					ev.Watched = t.r.watchProgrammed(ev, obj.Metadata.ResourceVersion)
				}
			}
		}
	}
	t.r.add(ev)
	return resp, nil
}

func (r *Recorder) add(ev Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

// Events waits for the watches still running and returns every event in time order.
func (r *Recorder) Events() []Event {
	r.pending.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]Event(nil), r.events...)
	sortByTime(out)
	return out
}

// apiPath is an API request path taken apart.
type apiPath struct {
	group, version, namespace, resource, name, subresource string
}

// parsePath reads /api/v1/... and /apis/<group>/<version>/... paths; anything else has no resource.
func parsePath(path string) apiPath {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var p apiPath
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		p.version, parts = parts[1], parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		p.group, p.version, parts = parts[1], parts[2], parts[3:]
	default:
		return apiPath{}
	}
	namespaceItself := len(parts) == 3 && (parts[2] == "status" || parts[2] == "finalize")
	if len(parts) >= 3 && parts[0] == "namespaces" && !namespaceItself {
		p.namespace, parts = parts[1], parts[2:]
	}
	if len(parts) >= 1 {
		p.resource = parts[0]
	}
	if len(parts) >= 2 {
		p.name = parts[1]
	}
	if len(parts) >= 3 {
		p.subresource = parts[2]
	}
	return p
}
