package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
)

// Workload is a cluster to benchmark and how its pods' ports get into NB.
type Workload struct {
	Name     string
	Snapshot *cluster.Snapshot
	// TopologyFile, when set, is an OVSDB transaction (gen.py --nb-topology) that creates the ports,
	// sent with TransactScript; else the bench creates them from the snapshot through libovsdb.
	TopologyFile   string
	TransactScript string
	Python         string
}

// WorkloadOptions say where workloads come from.
type WorkloadOptions struct {
	// Synth is the generated cluster for the workloads "W1" and "synth".
	Synth synth.Large
	// GenPy is the reference workload generator of w0 and w1, gen.py, which is not part of this repository
	// (docs/performance.md#workloads says what it makes); nb_transact.py is expected next to it.
	GenPy  string
	Python string
	// TempDir receives gen.py's output.
	TempDir string
}

// gen.py's files, in the order they are loaded.
var genPyFiles = []string{"nodes.yaml", "namespaces.yaml", "pods.yaml", "anps.yaml", "banp.yaml"}

// LoadWorkload builds a workload: "W1" or "synth" generate o.Synth, "W2" synth.W2; "w0" and "w1" run gen.py; anything
// else is a folder of manifests (the kinds `tieracl test` reads).
func LoadWorkload(ctx context.Context, name string, o WorkloadOptions) (*Workload, error) {
	switch name {
	case "W1", "synth":
		snap, err := o.Synth.Generate()
		if err != nil {
			return nil, err
		}
		return &Workload{Name: name, Snapshot: snap}, nil
	case "W2":
		snap, err := synth.W2.Generate()
		if err != nil {
			return nil, err
		}
		return &Workload{Name: name, Snapshot: snap}, nil
	case "w0", "w1":
		return genPyWorkload(ctx, name, o)
	}
	info, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("workload %q is not W1, W2, synth, w0, w1 or a folder: %w", name, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("workload %q is not a folder", name)
	}
	snap, err := loadFolder(name)
	if err != nil {
		return nil, err
	}
	return &Workload{Name: filepath.Base(filepath.Clean(name)), Snapshot: snap}, nil
}

// loadFolder reads a folder of manifests; a gen.py output folder is read through its YAML files only,
// as its stats.json is not a manifest.
func loadFolder(dir string) (*cluster.Snapshot, error) {
	if _, err := os.Stat(filepath.Join(dir, "stats.json")); err == nil {
		var files []string
		for _, f := range genPyFiles {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				files = append(files, filepath.Join(dir, f))
			}
		}
		if len(files) > 0 {
			return manifest.Load(files...)
		}
	}
	return manifest.Load(dir)
}

func genPyWorkload(ctx context.Context, preset string, o WorkloadOptions) (*Workload, error) {
	if o.GenPy == "" {
		return nil, fmt.Errorf("workload %s needs the reference workload generator gen.py, which is not part of this "+
			"repository: name it with --genpy PATH or TIERACL_GENPY (W1, synth and folders need no generator)", preset)
	}
	if _, err := os.Stat(o.GenPy); err != nil {
		return nil, fmt.Errorf("workload %s: the reference workload generator is missing (--genpy, TIERACL_GENPY): %w",
			preset, err)
	}
	transact := filepath.Join(filepath.Dir(o.GenPy), "nb_transact.py")
	if _, err := os.Stat(transact); err != nil {
		return nil, fmt.Errorf("nb_transact.py is missing next to gen.py: %w", err)
	}
	python := o.Python
	if python == "" {
		python = "python3"
	}
	out := filepath.Join(o.TempDir, preset)
	topo := filepath.Join(o.TempDir, preset+"-topology.json")
	cmd := exec.CommandContext(ctx, python, o.GenPy, "--preset", preset, "--out", out, "--nb-topology", topo)
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s %s --preset %s: %w: %s", python, o.GenPy, preset, err, strings.TrimSpace(string(b)))
	}
	snap, err := loadFolder(out)
	if err != nil {
		return nil, err
	}
	return &Workload{Name: preset, Snapshot: snap, TopologyFile: topo, TransactScript: transact, Python: python}, nil
}
