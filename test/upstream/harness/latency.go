package harness

import (
	"sort"
	"time"
)

// Latency sums up how fast the API's changes reached the cluster during a run.
type Latency struct {
	// Programmed: from a policy write's response to its Programmed condition for that generation.
	Programmed Percentiles `json:"programmed"`
	// Unprogrammed counts policy writes whose Programmed condition was not seen within the timeout.
	Unprogrammed int `json:"unprogrammed"`
	// ProbeGap: from a write that can change what is allowed (policies; pod and namespace labels) to the
	// suite's next probe. The suite probes once (v0.1.7) or retries (v0.3.0); a probe that passed on its
	// first try after a write proves the datapath held the change within this gap.
	ProbeGap Percentiles `json:"probeGap"`
	// ExecSetup: from a probe's exec request to its stream being set up, after which agnhost starts
	// in the pod and sends its first packet. Count is the number of probes made.
	ExecSetup Percentiles `json:"execSetup"`
}

// Percentiles of a set of durations, nearest rank.
type Percentiles struct {
	Count int      `json:"count"`
	Min   Duration `json:"min"`
	P50   Duration `json:"p50"`
	P99   Duration `json:"p99"`
	Max   Duration `json:"max"`
}

// Duration reads as "12.5ms" in the results.
type Duration time.Duration

func (d Duration) String() string { return time.Duration(d).Round(100 * time.Microsecond).String() }

// MarshalJSON writes d as a quoted string in time.Duration's notation, rounded to 100µs ("12.5ms").
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// policyResources are the kinds whose writes change what is allowed.
var policyResources = map[string]bool{
	"adminnetworkpolicies": true, "baselineadminnetworkpolicies": true, "clusternetworkpolicies": true,
	"networkpolicies": true,
}

// changesPolicy reports whether a successful write can change what the datapath allows.
func changesPolicy(ev Event) bool {
	if ev.Kind != KindWrite || ev.Status/100 != 2 {
		return false
	}
	if policyResources[ev.Resource] {
		return true
	}
	// Label changes on pods and namespaces move them in and out of selectors; creates of the base
	// workload are followed by the readiness wait, not by a probe.
	return (ev.Resource == "pods" || ev.Resource == "namespaces") && (ev.Verb == "PATCH" || ev.Verb == "PUT")
}

// Summarize computes the latency figures from a run's events (in time order).
func Summarize(events []Event) Latency {
	var l Latency
	var programmed, gaps, execs []time.Duration
	writes := 0
	for i, ev := range events {
		switch {
		case ev.Kind == KindProgrammed:
			programmed = append(programmed, ev.Since)
		case ev.Kind == KindExec:
			execs = append(execs, ev.Since)
		case changesPolicy(ev):
			if ev.Watched {
				writes++
			}
			for _, next := range events[i+1:] {
				if next.Kind == KindExec {
					gaps = append(gaps, next.At.Sub(ev.At))
					break
				}
			}
		}
	}
	l.Programmed = percentiles(programmed)
	l.Unprogrammed = max(0, writes-len(programmed))
	l.ProbeGap = percentiles(gaps)
	l.ExecSetup = percentiles(execs)
	return l
}

func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return Percentiles{Count: len(s), Min: Duration(s[0]), P50: Duration(rank(0.50)), P99: Duration(rank(0.99)),
		Max: Duration(s[len(s)-1])}
}
