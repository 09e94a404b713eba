package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
)

// The zone bench (RunZones) runs each zone's controller in a process of its own, so that its peak RSS is
// its own: the bench's binary started again with ZoneWorkerEnv set. The worker generates the same
// workload, loads it into fake clientsets of its own, runs a zone-mode controller on its zone's NB, and
// takes pod label changes, one JSON line each, on standard input; it answers on standard output.

// ZoneWorkerEnv, when set in a process's environment, makes it a zone worker: the bench's main (and a
// test binary's TestMain) calls RunZoneWorker instead of its usual work. ZoneWorkerLogEnv names its log file.
const (
	ZoneWorkerEnv    = "TIERACL_BENCH_ZONE_WORKER"
	ZoneWorkerLogEnv = "TIERACL_BENCH_ZONE_WORKER_LOG"
)

// IsZoneWorker reports whether this process was started as a zone worker.
func IsZoneWorker() bool { return os.Getenv(ZoneWorkerEnv) != "" }

// workerConfig is the first line a worker reads.
type workerConfig struct {
	Zone   string      `json:"zone"`
	Zones  int         `json:"zones"`
	Socket string      `json:"socket"`
	Synth  synth.Large `json:"synth"`
}

// workerRequest is every later line: a pod's new labels, or a request for the worker's figures.
type workerRequest struct {
	Namespace string            `json:"namespace,omitempty"`
	Name      string            `json:"name,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
	Report    bool              `json:"report,omitempty"`
}

// workerReply is what a worker says once ready, and to each report request.
type workerReply struct {
	FullSyncSeconds float64 `json:"full_sync_seconds,omitempty"`
	LoadSeconds     float64 `json:"load_seconds,omitempty"` // generating the workload and loading the fake API
	Ops             float64 `json:"ops"`
	Transactions    uint64  `json:"transactions"`
	PodsWithoutPort float64 `json:"pods_without_port"`
	StartRSSMB      float64 `json:"start_rss_mb,omitempty"` // with the fake API loaded, before the controller
	Error           string  `json:"error,omitempty"`
}

// RunZoneWorker is a zone worker's life: configuration, full sync, then requests until standard input ends.
func RunZoneWorker(ctx context.Context, in io.Reader, out io.Writer) error {
	lines := bufio.NewScanner(in)
	lines.Buffer(make([]byte, 1<<20), 1<<20)
	enc := json.NewEncoder(out)
	if !lines.Scan() {
		return fmt.Errorf("zone worker: no configuration on standard input: %v", lines.Err())
	}
	var cfg workerConfig
	if err := json.Unmarshal(lines.Bytes(), &cfg); err != nil {
		return fmt.Errorf("zone worker: configuration: %w", err)
	}
	start := time.Now()
	snap, err := cfg.Synth.Generate()
	if err != nil {
		return err
	}
	zoneNodes(snap, cfg.Zones)
	watch.DefaultChanSize = 1 << 16   // as in Run: the fake API's watchers must not fill up
	kube, policy := fakeClients(snap) // snap is not used after this, so the collector may free it
	load := time.Since(start).Seconds()
	// The peak from here on is the controller's and the fake API's, not the generator's garbage.
	debug.FreeOSMemory()
	resetPeakRSS()
	before := procStatusMB("VmRSS")

	start = time.Now()
	r, err := startController(ctx, cfg.Socket, tuning{Zone: cfg.Zone}, kube, policy)
	if err != nil {
		return err
	}
	defer r.stop()
	if err := r.waitReady(ctx, 10*time.Minute); err != nil {
		_ = enc.Encode(workerReply{Error: err.Error()}) // the parent reads the reason; the error is returned too
		return err
	}
	rep := r.figures()
	rep.FullSyncSeconds, rep.LoadSeconds, rep.StartRSSMB = time.Since(start).Seconds(), load, before
	if err := enc.Encode(rep); err != nil {
		return err
	}
	for lines.Scan() {
		var req workerRequest
		if err := json.Unmarshal(lines.Bytes(), &req); err != nil {
			return fmt.Errorf("zone worker: request: %w", err)
		}
		if req.Report {
			if err := enc.Encode(r.figures()); err != nil {
				return err
			}
			continue
		}
		pods := kube.CoreV1().Pods(req.Namespace)
		obj, err := pods.Get(ctx, req.Name, metav1.GetOptions{})
		if err == nil {
			obj.Labels = req.Labels
			_, err = pods.Update(ctx, obj, metav1.UpdateOptions{})
		}
		if err != nil {
			return fmt.Errorf("zone worker: pod %s/%s: %w", req.Namespace, req.Name, err)
		}
	}
	return lines.Err()
}

func (r *running) figures() workerReply {
	m := readMetrics(r.reg)
	return workerReply{Ops: m.sum(metricOps), Transactions: m.samples(metricTransaction, ""),
		PodsWithoutPort: m.sum("tieracl_pods_without_port")}
}

// zoneName is the name of zone i of a zone bench, as its NB_Global and its nodes' annotation say.
func zoneName(i int) string { return fmt.Sprintf("az%d", i+1) }

// zoneNodes places the snapshot's nodes, sorted by name, round robin over n zones, annotating each with
// its zone as OVN-Kubernetes interconnect does, and returns each node's zone index.
func zoneNodes(snap *cluster.Snapshot, n int) map[string]int {
	names := make([]string, 0, len(snap.Nodes))
	byName := map[string]*corev1.Node{}
	for _, node := range snap.Nodes {
		names = append(names, node.Name)
		byName[node.Name] = node
	}
	sort.Strings(names)
	out := map[string]int{}
	for i, name := range names {
		node := byName[name]
		if node.Annotations == nil {
			node.Annotations = map[string]string{}
		}
		node.Annotations[controller.ZoneKey] = zoneName(i % n)
		out[name] = i % n
	}
	return out
}
