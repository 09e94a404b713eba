package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// Northd is what the rows tieracl wrote cost OVN: a fresh ovn-northd and SB started on the NB after the
// full sync (informational figures, no target).
type Northd struct {
	// ColdSeconds runs from starting ovn-northd until NB_Global's sb_cfg reaches the nb_cfg set before
	// it started: northd has compiled the whole NB and SB has committed it.
	ColdSeconds float64 `json:"cold_compile_seconds"`
	CPUSeconds  float64 `json:"cold_compile_cpu_seconds"`
	PeakRSSMB   float64 `json:"peak_rss_mb"` // northd's VmHWM at the end
	SBPeakRSSMB float64 `json:"sb_peak_rss_mb"`
	Flows       int     `json:"logical_flows"`
	// ACLFlows are the logical flows of the ACL stages (ls_in_acl*, ls_out_acl*), by stage in
	// FlowsByStage.
	ACLFlows     int            `json:"acl_logical_flows"`
	FlowsByStage map[string]int `json:"acl_logical_flows_by_stage"`
	// PodMoveSeconds runs from the NB commit of one pod label change (seen on the bench's monitor) until
	// sb_cfg reaches an nb_cfg bumped right after that commit; PodMoveAPISeconds from the API write.
	PodMoveSeconds    float64 `json:"pod_move_seconds"`
	PodMoveAPISeconds float64 `json:"pod_move_api_seconds"`
}

// podMove writes one pod change and returns when it was written and when NB committed it.
type podMove func(ctx context.Context) (written, committed time.Time, err error)

// measureNorthd starts a fresh SB and ovn-northd in dir on the NB behind nbSocket, measures the cold
// compile and one pod move, counts SB's logical flows, and stops them again.
func measureNorthd(ctx context.Context, root, dir, nbSocket string, move podMove,
	timeout time.Duration) (Northd, error) {
	var n Northd
	db := filepath.Join(dir, "northd-sb.db")
	if _, err := runOVN(ctx, root, dir, ovsdbToolBin, "create", db, filepath.Join(root, sbSchema)); err != nil {
		return n, err
	}
	sb, sbSocket, err := startOVSDB(ctx, root, dir, "northd-sb", db)
	if err != nil {
		return n, err
	}
	defer sb.stop()
	g, err := dialNBGlobal(ctx, nbSocket)
	if err != nil {
		return n, err
	}
	defer g.Close()
	want, err := bumpNbCfg(ctx, g)
	if err != nil {
		return n, err
	}

	start := time.Now()
	northd, err := startDaemon(ctx, root, dir, "northd", ovnNorthdBin, nil,
		"--ovnnb-db="+nbSocket, "--ovnsb-db="+sbSocket)
	if err != nil {
		return n, err
	}
	defer northd.stop()
	if err := waitSbCfg(ctx, g, want, northd, timeout); err != nil {
		return n, fmt.Errorf("ovn-northd cold compile: %w", err)
	}
	n.ColdSeconds = time.Since(start).Seconds()
	n.CPUSeconds = processCPU(northd.pid())

	if n.Flows, n.FlowsByStage, err = countFlows(ctx, root, dir, sbSocket); err != nil {
		return n, err
	}
	for _, c := range n.FlowsByStage {
		n.ACLFlows += c
	}

	if move != nil {
		written, committed, err := move(ctx)
		if err != nil {
			return n, fmt.Errorf("pod move: %w", err)
		}
		if want, err = bumpNbCfg(ctx, g); err != nil {
			return n, err
		}
		if err := waitSbCfg(ctx, g, want, northd, timeout); err != nil {
			return n, fmt.Errorf("ovn-northd after a pod move: %w", err)
		}
		done := time.Now()
		n.PodMoveSeconds = done.Sub(committed).Seconds()
		n.PodMoveAPISeconds = done.Sub(written).Seconds()
	}
	n.PeakRSSMB = peakRSSMB(northd.pid())
	n.SBPeakRSSMB = peakRSSMB(sb.pid())
	return n, nil
}

// dialNBGlobal connects a client that monitors NB_Global alone.
func dialNBGlobal(ctx context.Context, socket string) (client.Client, error) {
	dbModel, err := nbdb.FullDatabaseModel()
	if err != nil {
		return nil, err
	}
	c, err := client.NewOVSDBClient(dbModel, client.WithEndpoint(socket))
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	if _, err := c.Monitor(ctx, c.NewMonitor(client.WithTable(&nbdb.NBGlobal{}))); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func nbGlobal(ctx context.Context, c client.Client) (*nbdb.NBGlobal, error) {
	var rows []*nbdb.NBGlobal
	if err := c.List(ctx, &rows); err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("NB has %d NB_Global rows, want 1", len(rows))
	}
	return rows[0], nil
}

// bumpNbCfg adds one to NB_Global's nb_cfg and returns the new value, as ovn-nbctl --wait=sb does.
func bumpNbCfg(ctx context.Context, c client.Client) (int, error) {
	g, err := nbGlobal(ctx, c)
	if err != nil {
		return 0, err
	}
	ops, err := c.Where(g).Mutate(g, model.Mutation{Field: &g.NbCfg, Mutator: ovsdb.MutateOperationAdd, Value: 1})
	if err != nil {
		return 0, err
	}
	res, err := c.Transact(ctx, ops...)
	if err == nil {
		_, err = ovsdb.CheckOperationResults(res, ops)
	}
	if err != nil {
		return 0, fmt.Errorf("bump nb_cfg: %w", err)
	}
	return g.NbCfg + 1, nil
}

// waitSbCfg waits until northd has set sb_cfg to at least want.
func waitSbCfg(ctx context.Context, c client.Client, want int, northd *daemon, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		g, err := nbGlobal(ctx, c)
		if err != nil {
			return err
		}
		if g.SbCfg >= want {
			return nil
		}
		select {
		case <-northd.done:
			return fmt.Errorf("ovn-northd exited (%v)", northd.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sb_cfg %d has not reached %d after %s", g.SbCfg, want, timeout)
		}
	}
}

// countFlows counts SB's logical flows, and those of the ACL stages by stage name.
func countFlows(ctx context.Context, root, dir, sbSocket string) (int, map[string]int, error) {
	query := `["OVN_Southbound",{"op":"select","table":"Logical_Flow","where":[],"columns":["external_ids"]}]`
	out, err := runOVN(ctx, root, dir, ovsdbClientBin, "transact", sbSocket, query)
	if err != nil {
		return 0, nil, err
	}
	var res []struct {
		Rows []struct {
			ExternalIDs ovsdb.OvsMap `json:"external_ids"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res) != 1 {
		return 0, nil, fmt.Errorf("SB Logical_Flow select: %v: %.200s", err, out)
	}
	byStage := map[string]int{}
	for _, r := range res[0].Rows {
		stage, _ := r.ExternalIDs.GoMap["stage-name"].(string)
		if strings.HasPrefix(stage, "ls_in_acl") || strings.HasPrefix(stage, "ls_out_acl") {
			byStage[stage]++
		}
	}
	return len(res[0].Rows), byStage, nil
}

// stagesByCount lists stage names, most flows first.
func stagesByCount(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return m[out[i]] > m[out[j]] || m[out[i]] == m[out[j]] && out[i] < out[j] })
	return out
}

// onePodMove moves the mover's first pod across at least one address set through the API and waits
// for the NB notification that completes every set change it asked for.
func onePodMove(kube kubernetes.Interface, mv *mover, mon *setMonitor) podMove {
	return func(ctx context.Context) (written, committed time.Time, err error) {
		p := mv.pods[0]
		newLabels, changed, ok := mv.move(p)
		if !ok {
			return written, committed, fmt.Errorf("no label change moves pod %s/%s across a set", p.namespace, p.name)
		}
		left := map[string]bool{}
		for _, c := range changed {
			left[c] = true
		}
		done := make(chan time.Time, 1)
		mon.setToggled(func(at time.Time, set string, addrs []string) {
			for _, a := range addrs {
				if a == p.ip && left[set] {
					delete(left, set)
					if len(left) == 0 {
						done <- at
					}
				}
			}
		})
		defer mon.setToggled(nil)
		pods := kube.CoreV1().Pods(p.namespace)
		obj, err := pods.Get(ctx, p.name, metav1.GetOptions{})
		if err != nil {
			return written, committed, err
		}
		obj.Labels = newLabels
		written = time.Now()
		if _, err := pods.Update(ctx, obj, metav1.UpdateOptions{}); err != nil {
			return written, committed, err
		}
		select {
		case committed = <-done:
		case <-time.After(30 * time.Second):
			return written, committed, fmt.Errorf("pod %s/%s: NB did not change sets %v within 30 s", p.namespace, p.name,
				changed)
		case <-ctx.Done():
			return written, committed, ctx.Err()
		}
		p.labels = newLabels
		return written, committed, nil
	}
}
