package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	npclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policy"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// ReadSnapshot lists everything network policy reads from the API.
func ReadSnapshot(ctx context.Context, kube kubernetes.Interface,
	policy npclient.Interface) (*cluster.Snapshot, error) {
	all := metav1.ListOptions{}
	nss, err := kube.CoreV1().Namespaces().List(ctx, all)
	if err != nil {
		return nil, err
	}
	pods, err := kube.CoreV1().Pods("").List(ctx, all)
	if err != nil {
		return nil, err
	}
	nodes, err := kube.CoreV1().Nodes().List(ctx, all)
	if err != nil {
		return nil, err
	}
	nps, err := kube.NetworkingV1().NetworkPolicies("").List(ctx, all)
	if err != nil {
		return nil, err
	}
	anps, err := policy.PolicyV1alpha1().AdminNetworkPolicies().List(ctx, all)
	if err != nil {
		return nil, err
	}
	banps, err := policy.PolicyV1alpha1().BaselineAdminNetworkPolicies().List(ctx, all)
	if err != nil {
		return nil, err
	}
	cnps, err := policy.PolicyV1beta1().ClusterNetworkPolicies().List(ctx, all)
	if err != nil {
		return nil, err
	}
	return &cluster.Snapshot{Namespaces: pointers(nss.Items), Pods: pointers(pods.Items), Nodes: pointers(nodes.Items),
		NetworkPolicies: pointers(nps.Items), ANPs: pointers(anps.Items), BANPs: pointers(banps.Items),
		CNPs: pointers(cnps.Items)}, nil
}

func pointers[T any](items []T) []*T {
	out := make([]*T, len(items))
	for i := range items {
		out[i] = &items[i]
	}
	return out
}

// Unprogrammed lists the ANPs, BANPs and ClusterNetworkPolicies whose Programmed condition is missing or
// older than their generation, with what each holds.
func Unprogrammed(s *cluster.Snapshot) []string {
	var out []string
	check := func(kind, name string, generation int64, conds []metav1.Condition) {
		c := meta.FindStatusCondition(conds, controller.ConditionProgrammed)
		switch {
		case c == nil:
			out = append(out,
				fmt.Sprintf("%s %s: generation %d, no %s condition", kind, name, generation, controller.ConditionProgrammed))
		case c.ObservedGeneration != generation:
			out = append(out, fmt.Sprintf("%s %s: generation %d, %s observed generation %d", kind, name, generation,
				controller.ConditionProgrammed, c.ObservedGeneration))
		}
	}
	for _, p := range s.ANPs {
		check(KindANP, p.Name, p.Generation, p.Status.Conditions)
	}
	for _, p := range s.BANPs {
		check(KindBANP, p.Name, p.Generation, p.Status.Conditions)
	}
	for _, p := range s.CNPs {
		check(KindCNP, p.Name, p.Generation, p.Status.Conditions)
	}
	return out
}

// WrongStatus lists the ANPs whose Programmed condition is not the one the controller must write for
// their translation (status, reason and message), with what each holds.
func WrongStatus(s *cluster.Snapshot, res *translate.Result) []string {
	compiled := map[string]*policy.Policy{}
	for _, p := range res.Policies {
		if p.Owner.Kind == policy.KindANP {
			compiled[p.Owner.Name] = p
		}
	}
	var out []string
	for _, a := range s.ANPs {
		p, ok := compiled[a.Name]
		if !ok {
			out = append(out, fmt.Sprintf("%s %s: not in the translation", KindANP, a.Name))
			continue
		}
		want := controller.ProgrammedCondition(p, a.Generation)
		got := meta.FindStatusCondition(a.Status.Conditions, controller.ConditionProgrammed)
		if got == nil || got.Status != want.Status || got.Reason != want.Reason || got.Message != want.Message {
			out = append(out, fmt.Sprintf("%s %s: Programmed %+v, want %s %s %q", KindANP, a.Name, got, want.Status,
				want.Reason, want.Message))
		}
	}
	return out
}

// Programmed is the cluster as the API holds it once the controller has programmed it, and its
// translation, which NB's tieracl rows equal.
type Programmed struct {
	Snapshot *cluster.Snapshot
	Result   *translate.Result
	// Took is how long the wait was.
	Took time.Duration
}

// WaitProgrammed waits until the controller has programmed the API's current policies: every ANP and
// BANP has its Programmed condition for its current generation, and the tieracl-owned rows in NB are
// exactly the translation of the API's objects (nbsync plans no operation against them, checked with a
// client of its own), which also covers NetworkPolicies, which have no status, and deletions.
func WaitProgrammed(ctx context.Context, kube kubernetes.Interface, policy npclient.Interface, nbAddress string,
	timeout time.Duration) (*Programmed, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nb, err := nbsync.Connect(ctx, nbAddress, nil)
	if err != nil {
		return nil, err
	}
	defer nb.Disconnect()
	var last []string
	for {
		snap, err := ReadSnapshot(ctx, kube, policy)
		if err == nil {
			last = Unprogrammed(snap)
			res := translate.Translate(snap, translate.Options{})
			ops, _, opsErr := nbsync.Ops(ctx, nb, &res.State)
			switch {
			case opsErr != nil:
				last = append(last, "planning NB operations: "+opsErr.Error())
			case len(ops) > 0:
				last = append(last, "NB differs from the translation: "+DescribeOps(ops))
			}
			if len(last) == 0 {
				return &Programmed{Snapshot: snap, Result: res, Took: time.Since(start)}, nil
			}
		} else {
			last = []string{err.Error()}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("not programmed within %v: %s", timeout, strings.Join(last, "; "))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// StaleOps returns the operations nbsync would need to turn NB's tieracl rows into want, read with a
// client of its own: none when NB holds exactly want.
func StaleOps(ctx context.Context, nbAddress string, want *nbrows.State) ([]ovsdb.Operation, error) {
	nb, err := nbsync.Connect(ctx, nbAddress, nil)
	if err != nil {
		return nil, err
	}
	defer nb.Disconnect()
	ops, _, err := nbsync.Ops(ctx, nb, want)
	return ops, err
}

// DescribeOps sums up operations by kind and table, e.g. "2 delete ACL, 1 mutate Port_Group".
func DescribeOps(ops []ovsdb.Operation) string {
	count := map[string]int{}
	for _, op := range ops {
		count[op.Op+" "+op.Table]++
	}
	var parts []string
	for k, n := range count {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// OwnedRows lists, by table, the rows in NB whose external_ids say tieracl.io/managed-by=tieracl, as
// ovn-nbctl finds them (not through nbsync, whose idea of its own rows this checks).
func OwnedRows(ctx context.Context, bed *ovnsandbox.Bed) (map[string][]string, error) {
	out := map[string][]string{}
	for _, table := range []string{nbdb.ACLTable, nbdb.PortGroupTable, nbdb.AddressSetTable} {
		found, err := bed.NBCtl(ctx, "--format=csv", "--no-headings", "--columns=_uuid,name", "find", table,
			fmt.Sprintf("external_ids:%q=%s", nbrows.KeyManagedBy, nbrows.ManagedByValue))
		if err != nil {
			return nil, err
		}
		if rows := strings.Fields(found); len(rows) > 0 {
			out[table] = rows // "<uuid>,<name>" each
		}
	}
	return out, nil
}
