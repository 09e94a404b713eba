package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
)

// chunkPorts is how many logical switch ports one topology transaction creates.
const chunkPorts = 2000

// createPorts creates the pods' logical switch ports the way an OVN-Kubernetes CNI would before the
// controller runs (and as gen.py --nb-topology does): a Logical_Switch per node and a port per pod named
// "<namespace>_<pod>" with addresses and port security "<mac> <ip>...". It writes through a libovsdb
// client without a cache, in transactions of chunkPorts ports. It returns the number of ports.
func createPorts(ctx context.Context, socket string, snap *cluster.Snapshot) (int, error) {
	dbModel, err := nbdb.FullDatabaseModel()
	if err != nil {
		return 0, err
	}
	c, err := client.NewOVSDBClient(dbModel, client.WithEndpoint(socket))
	if err != nil {
		return 0, err
	}
	if err := c.Connect(ctx); err != nil {
		return 0, err
	}
	defer c.Close()

	bySwitch := map[string][]ovnsandbox.Port{}
	for _, p := range snap.Pods {
		port, ok := ovnsandbox.PodPort(p)
		if !ok {
			continue
		}
		sw := p.Spec.NodeName
		if sw == "" {
			sw = "bench"
		}
		port.ExternalIDs = map[string]string{"namespace": p.Namespace, "pod": "true"}
		bySwitch[sw] = append(bySwitch[sw], port)
	}
	switches := make([]string, 0, len(bySwitch))
	for sw := range bySwitch {
		switches = append(switches, sw)
	}
	sort.Strings(switches)

	var ops []ovsdb.Operation
	for i, sw := range switches {
		op, err := c.Create(&nbdb.LogicalSwitch{UUID: fmt.Sprintf("ls%d", i), Name: sw})
		if err != nil {
			return 0, err
		}
		ops = append(ops, op...)
	}
	results, err := transact(ctx, c, ops)
	if err != nil {
		return 0, fmt.Errorf("create switches: %w", err)
	}
	switchUUID := map[string]string{}
	for i, sw := range switches {
		switchUUID[sw] = results[i].UUID.GoUUID
	}

	total := 0
	ops = nil
	added := map[string][]string{} // switch -> named UUIDs of this chunk's ports
	flush := func() error {
		for sw, names := range added {
			ls := &nbdb.LogicalSwitch{UUID: switchUUID[sw]}
			op, err := c.Where(ls).Mutate(ls,
				model.Mutation{Field: &ls.Ports, Mutator: ovsdb.MutateOperationInsert, Value: names})
			if err != nil {
				return err
			}
			ops = append(ops, op...)
		}
		if len(ops) == 0 {
			return nil
		}
		if _, err := transact(ctx, c, ops); err != nil {
			return fmt.Errorf("create ports: %w", err)
		}
		ops, added = nil, map[string][]string{}
		return nil
	}
	for _, sw := range switches {
		for _, p := range bySwitch[sw] {
			named := fmt.Sprintf("lsp%d", total)
			total++
			addr := p.Addresses()
			op, err := c.Create(&nbdb.LogicalSwitchPort{UUID: named, Name: p.Name, Addresses: []string{addr},
				PortSecurity: []string{addr}, ExternalIDs: p.ExternalIDs, Options: map[string]string{"requested-chassis": sw}})
			if err != nil {
				return 0, err
			}
			ops = append(ops, op...)
			added[sw] = append(added[sw], named)
			if total%chunkPorts == 0 {
				if err := flush(); err != nil {
					return 0, err
				}
			}
		}
	}
	return total, flush()
}

func transact(ctx context.Context, c client.Client, ops []ovsdb.Operation) ([]ovsdb.OperationResult, error) {
	results, err := c.Transact(ctx, ops...)
	if err != nil {
		return nil, err
	}
	if _, err := ovsdb.CheckOperationResults(results, ops); err != nil {
		return nil, err
	}
	return results, nil
}

// applyTopologyFile sends a gen.py --nb-topology transaction with nb_transact.py, next to gen.py.
func applyTopologyFile(ctx context.Context, python, transactScript, socket, file string) error {
	if _, err := os.Stat(transactScript); err != nil {
		return fmt.Errorf("nb_transact.py: %w", err)
	}
	cmd := exec.CommandContext(ctx, python, transactScript, strings.TrimPrefix(socket, "unix:"), file)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", python, filepath.Base(transactScript), err, strings.TrimSpace(string(out)))
	}
	return nil
}
