package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
	"github.com/tieracl/tieracl/test/testbed"
)

// ZoneOptions configure RunZones.
type ZoneOptions struct {
	Zones int
	Synth synth.Large
	// Moves is how many pod label changes are timed, one at a time, until every zone has committed.
	Moves        int
	ReadyTimeout time.Duration
	Progress     func(string)
	// Worker is the program started as each zone's worker (with ZoneWorkerEnv set); this executable
	// when empty.
	Worker string
	// Dir receives the NB databases and the workers' logs; a temporary folder, removed after, when empty.
	Dir string
}

// ZoneReport is what RunZones measured.
type ZoneReport struct {
	Workload string    `json:"workload"`
	Size     Size      `json:"size"`
	Zones    []ZoneRow `json:"zones"`
	// CentralPortGroupPorts is the port group members of the one translation whose ports exist (in some
	// zone): what one central NB would hold, and what the zones share out.
	CentralPortGroupPorts int       `json:"central_port_group_ports"`
	Moves                 ZoneMoves `json:"moves"`
	Failures              []string  `json:"failures,omitempty"`
}

// ZoneRow is one zone: its share of the cluster, the rows its controller wrote, and what that cost.
type ZoneRow struct {
	Name            string  `json:"name"`
	Nodes           int     `json:"nodes"`
	Ports           int     `json:"ports"` // the logical switch ports of its pods, in its NB
	Rows            Rows    `json:"rows"`
	Matches         bool    `json:"nb_matches_translation"`
	LoadSeconds     float64 `json:"load_seconds"` // the worker's workload generation and fake API
	FullSyncSeconds float64 `json:"full_sync_seconds"`
	FullSyncOps     float64 `json:"full_sync_nb_ops"`
	Transactions    uint64  `json:"full_sync_transactions"`
	MoveOps         float64 `json:"move_nb_ops"` // NB operations for all the timed moves together
	PodsWithoutPort float64 `json:"pods_without_port"`
	PeakRSSMB       float64 `json:"peak_rss_mb"`    // the worker's VmHWM at the end, from its full sync on
	StartRSSMB      float64 `json:"start_rss_mb"`   // the worker's RSS before its controller: the fake API
	NBPeakRSSMB     float64 `json:"nb_peak_rss_mb"` // its NB ovsdb-server's
	MoveP50ms       float64 `json:"move_p50_ms"`    // until this zone's NB had the move
}

// ZoneMoves is the latency of a pod label change, from the moment it is sent to every zone's worker until
// the last zone's NB notification completes every address-set change it asked for.
type ZoneMoves struct {
	Count   int     `json:"count"`
	P50ms   float64 `json:"all_zones_p50_ms"`
	P99ms   float64 `json:"all_zones_p99_ms"`
	MaxMs   float64 `json:"all_zones_max_ms"`
	SetsAvg float64 `json:"sets_per_move"`
}

// zoneRun is one zone's NB and worker.
type zoneRun struct {
	name   string
	nb     *daemon
	socket string
	mon    *setMonitor
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *json.Decoder
}

// RunZones runs a synthetic workload spread over o.Zones zones: an NB ovsdb-server per zone holding the
// ports of its nodes' pods, and a zone-mode controller per zone in a process of its own. It measures each
// zone's full sync, rows and memory, then times pod moves until every zone has committed them.
func RunZones(ctx context.Context, o ZoneOptions) (*ZoneReport, error) {
	if o.Zones < 1 {
		return nil, fmt.Errorf("zones: want at least 1 zone, not %d", o.Zones)
	}
	if o.ReadyTimeout <= 0 {
		o.ReadyTimeout = 10 * time.Minute
	}
	progress := o.Progress
	if progress == nil {
		progress = func(string) {}
	}
	worker := o.Worker
	if worker == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		worker = exe
	}
	dir := o.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "tieracl-bench-zones-")
		if err != nil {
			return nil, err
		}
		defer func() { _ = os.RemoveAll(tmp) }() // a temporary folder; nothing to report if it stays
		dir = tmp
	}
	snap, err := o.Synth.Generate()
	if err != nil {
		return nil, err
	}
	place := zoneNodes(snap, o.Zones)
	rep := &ZoneReport{Size: sizeOf(snap)}
	fail := func(format string, args ...any) { rep.Failures = append(rep.Failures, fmt.Sprintf(format, args...)) }
	desired := translate.Translate(snap, translate.Options{})
	hasPort := map[string]bool{}
	for _, p := range snap.Pods {
		if port, ok := ovnsandbox.PodPort(p); ok {
			hasPort[port.Name] = true
		}
	}
	for _, pg := range desired.State.PortGroups {
		for _, port := range pg.Ports {
			if hasPort[port] {
				rep.CentralPortGroupPorts++
			}
		}
	}

	root, err := testbed.OVN(ctx)
	if err != nil {
		return rep, err
	}
	zones := make([]*zoneRun, o.Zones)
	defer func() {
		for _, z := range zones {
			if z != nil {
				if err := z.stop(); err != nil {
					fail("%s: %v", z.name, err)
				}
			}
		}
	}()
	for i := range zones {
		name := zoneName(i)
		progress(fmt.Sprintf("zone %s: NB and its pods' ports", name))
		z, ports, err := startZoneNB(ctx, root, filepath.Join(dir, name), name, podsOfZone(snap, place, i))
		if err != nil {
			return rep, fmt.Errorf("zone %s: %w", name, err)
		}
		zones[i] = z
		rep.Zones = append(rep.Zones, ZoneRow{Name: name, Nodes: nodesOfZone(place, i), Ports: ports})
	}
	// One zone at a time, as each zone's controller has its node to itself in a cluster; the earlier
	// workers idle meanwhile.
	for i, z := range zones {
		progress(fmt.Sprintf("zone %s: worker process, full sync", z.name))
		r, err := z.startWorker(ctx, worker, filepath.Join(dir, z.name), workerConfig{Zone: z.name, Zones: o.Zones,
			Socket: z.socket, Synth: o.Synth}, o.ReadyTimeout)
		if err != nil {
			return rep, fmt.Errorf("zone %s: %w", z.name, err)
		}
		row := &rep.Zones[i]
		row.LoadSeconds, row.FullSyncSeconds, row.FullSyncOps, row.Transactions = r.LoadSeconds, r.FullSyncSeconds,
			r.Ops, r.Transactions
		row.PodsWithoutPort, row.StartRSSMB = r.PodsWithoutPort, r.StartRSSMB
		if r.PodsWithoutPort != 0 {
			fail("zone %s counts %.0f selected pods of its own without a port", z.name, r.PodsWithoutPort)
		}
	}
	progress("checking every zone's NB against the translation")
	for i, z := range zones {
		check, err := nbsync.Connect(ctx, z.socket, nil)
		if err != nil {
			return rep, err
		}
		row := &rep.Zones[i]
		row.Rows, err = countRows(ctx, check)
		if err == nil {
			row.Matches, err = matches(ctx, check, &desired.State, 30*time.Second)
		}
		check.Close()
		if err != nil {
			return rep, fmt.Errorf("zone %s: %w", z.name, err)
		}
		if !row.Matches {
			fail("zone %s: NB does not hold the translation of the cluster", z.name)
		}
	}

	if o.Moves > 0 {
		progress(fmt.Sprintf("%d pod moves, each until every zone has committed it", o.Moves))
		perZone, err := timeMoves(ctx, zones, snap, desired, o, &rep.Moves)
		if err != nil {
			fail("moves: %v", err)
		}
		for i := range zones {
			rep.Zones[i].MoveP50ms = percentile(sortedCopy(perZone[i]), 0.50)
		}
	}
	for i, z := range zones {
		r, err := z.ask()
		if err != nil {
			fail("zone %s: %v", z.name, err)
			continue
		}
		row := &rep.Zones[i]
		row.MoveOps = r.Ops - row.FullSyncOps
		row.PeakRSSMB = peakRSSMB(z.cmd.Process.Pid)
		row.NBPeakRSSMB = peakRSSMB(z.nb.pid())
	}
	if len(rep.Failures) > 0 {
		return rep, errors.New(strings.Join(rep.Failures, "; "))
	}
	return rep, nil
}

// timeMoves sends each move to every worker at once and waits, on every zone's NB monitor, for the
// address-set changes it asks for. It returns each zone's latencies in milliseconds.
func timeMoves(ctx context.Context, zones []*zoneRun, snap *cluster.Snapshot, desired *translate.Result,
	o ZoneOptions, m *ZoneMoves) ([][]float64, error) {
	mv, err := newMover(snap, desired, o.Synth.Seed)
	if err != nil {
		return nil, err
	}
	perZone := make([][]float64, len(zones))
	var all []float64
	sets := 0
	for i := 0; i < o.Moves; i++ {
		p := mv.pods[i%len(mv.pods)]
		newLabels, changed, ok := mv.move(p)
		if !ok {
			return perZone, fmt.Errorf("no label change moves pod %s/%s across a set", p.namespace, p.name)
		}
		sets += len(changed)
		arrived := make(chan int, len(zones))
		for zi, z := range zones {
			left := map[string]bool{}
			for _, c := range changed {
				left[c] = true
			}
			z.mon.setToggled(func(_ time.Time, set string, addrs []string) {
				for _, a := range addrs {
					if a == p.ip && left[set] {
						delete(left, set)
						if len(left) == 0 {
							arrived <- zi
						}
					}
				}
			})
		}
		line, err := json.Marshal(workerRequest{Namespace: p.namespace, Name: p.name, Labels: newLabels})
		if err != nil {
			return perZone, err
		}
		sent := time.Now()
		for _, z := range zones {
			if _, err := z.in.Write(append(line, '\n')); err != nil {
				return perZone, fmt.Errorf("zone %s: %w", z.name, err)
			}
		}
		timeout := time.After(30 * time.Second)
		for range zones {
			select {
			case zi := <-arrived:
				perZone[zi] = append(perZone[zi], float64(time.Since(sent).Microseconds())/1000)
			case <-timeout:
				return perZone, fmt.Errorf("pod %s/%s: not every zone's NB changed sets %v within 30 s", p.namespace,
					p.name, changed)
			case <-ctx.Done():
				return perZone, ctx.Err()
			}
		}
		all = append(all, float64(time.Since(sent).Microseconds())/1000)
		for _, z := range zones {
			z.mon.setToggled(nil)
		}
		p.labels = newLabels
	}
	sorted := sortedCopy(all)
	m.Count, m.MaxMs = len(all), sorted[len(sorted)-1]
	m.P50ms, m.P99ms = percentile(sorted, 0.50), percentile(sorted, 0.99)
	m.SetsAvg = float64(sets) / float64(len(all))
	return perZone, nil
}

// startZoneNB serves an empty NB named zone in dir, as ovn-ic names a zone's NB_Global, with the ports of
// the zone's pods, and follows its address sets.
func startZoneNB(ctx context.Context, root, dir, zone string, snap *cluster.Snapshot) (*zoneRun, int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, err
	}
	db := filepath.Join(dir, "nb.db")
	if _, err := runOVN(ctx, root, dir, ovsdbToolBin, "create", db, filepath.Join(root, nbSchema)); err != nil {
		return nil, 0, err
	}
	nb, socket, err := startOVSDB(ctx, root, dir, "nb", db)
	if err != nil {
		return nil, 0, err
	}
	z := &zoneRun{name: zone, nb: nb, socket: socket}
	if err := nameZone(ctx, socket, zone); err != nil {
		nb.stop()
		return nil, 0, err
	}
	ports, err := createPorts(ctx, socket, snap)
	if err == nil {
		z.mon, err = dialSetMonitor(ctx, socket, nil)
	}
	if err != nil {
		nb.stop()
		return nil, 0, err
	}
	return z, ports, nil
}

// nameZone writes the NB_Global row, named zone.
func nameZone(ctx context.Context, socket, zone string) error {
	c, err := dialNBGlobal(ctx, socket)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = transact(ctx, c, []ovsdb.Operation{{Op: ovsdb.OperationInsert, Table: nbdb.NBGlobalTable,
		Row: ovsdb.Row{"name": zone}}})
	return err
}

// startWorker starts the zone's worker process, sends it its configuration and waits for its full sync.
func (z *zoneRun) startWorker(ctx context.Context, program, dir string, cfg workerConfig,
	timeout time.Duration) (workerReply, error) {
	var r workerReply
	log, err := os.Create(filepath.Join(dir, "worker.log"))
	if err != nil {
		return r, err
	}
	defer func() { _ = log.Close() }() // the child holds its own descriptor
	z.cmd = exec.Command(program)
	z.cmd.Env = append(os.Environ(), ZoneWorkerEnv+"=1", ZoneWorkerLogEnv+"="+filepath.Join(dir, "controller.log"))
	z.cmd.Stderr = log
	if z.in, err = z.cmd.StdinPipe(); err != nil {
		return r, err
	}
	out, err := z.cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	z.out = json.NewDecoder(bufio.NewReader(out))
	if err := z.cmd.Start(); err != nil {
		return r, err
	}
	line, err := json.Marshal(cfg)
	if err != nil {
		return r, err
	}
	if _, err := z.in.Write(append(line, '\n')); err != nil {
		return r, err
	}
	got := make(chan error, 1)
	go func() { got <- z.out.Decode(&r) }()
	select {
	case err = <-got:
	case <-time.After(timeout):
		err = fmt.Errorf("worker not ready after %s", timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err == nil && r.Error != "" {
		err = errors.New(r.Error)
	}
	if err != nil {
		return r, fmt.Errorf("worker (log %s): %w", log.Name(), err)
	}
	return r, nil
}

// ask requests the worker's figures.
func (z *zoneRun) ask() (workerReply, error) {
	var r workerReply
	if z.in == nil {
		return r, errors.New("no worker")
	}
	if _, err := z.in.Write([]byte("{\"report\":true}\n")); err != nil {
		return r, err
	}
	err := z.out.Decode(&r)
	return r, err
}

// stop ends the worker (its standard input closes) and the NB.
func (z *zoneRun) stop() error {
	var errs []error
	if z.mon != nil {
		errs = append(errs, z.mon.Close())
	}
	if z.cmd != nil && z.cmd.Process != nil {
		_ = z.in.Close() // the worker's signal to stop
		done := make(chan error, 1)
		go func() { done <- z.cmd.Wait() }()
		select {
		case err := <-done:
			errs = append(errs, err)
		case <-time.After(30 * time.Second):
			_ = z.cmd.Process.Kill()
			errs = append(errs, fmt.Errorf("worker did not stop within 30 s: %v", <-done))
		}
	}
	z.nb.stop()
	return errors.Join(errs...)
}

// podsOfZone is the snapshot's pods on the zone's nodes (no policies: only the ports are made from it).
func podsOfZone(snap *cluster.Snapshot, place map[string]int, zone int) *cluster.Snapshot {
	out := &cluster.Snapshot{}
	for _, p := range snap.Pods {
		if z, ok := place[p.Spec.NodeName]; ok && z == zone {
			out.Pods = append(out.Pods, p)
		}
	}
	return out
}

func nodesOfZone(place map[string]int, zone int) int {
	n := 0
	for _, z := range place {
		if z == zone {
			n++
		}
	}
	return n
}
