package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tieracl/tieracl/examples"
	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/kuberead"
	"github.com/tieracl/tieracl/go-controller/pkg/manifest"
	"github.com/tieracl/tieracl/go-controller/pkg/stickywriter"
)

// defaultExampleName is how errors and messages name the embedded default example.
var defaultExampleName = path.Join("examples", examples.Default)

// stdinName is the -f path that reads standard input, as kubectl's.
const stdinName = "-"

// inputs are where a command reads the cluster's objects from: files (-f), or a live API server.
type inputs struct {
	files       []string
	kubeconfig  string
	kubeContext string
	cluster     bool // the command reads the live cluster when no -f is given
}

// register adds -f, and --kubeconfig and --context when live says the command can read a cluster.
func (in *inputs) register(cmd *cobra.Command, fileUsage string, live bool) {
	f := cmd.Flags()
	f.StringArrayVarP(&in.files, "filename", "f", nil, fileUsage+" (repeatable; - for standard input)")
	if live {
		f.StringVar(&in.kubeconfig, "kubeconfig", "",
			"kubeconfig of the cluster to read (default: $KUBECONFIG, ~/.kube/config, else in-cluster)")
		f.StringVar(&in.kubeContext, "context", "", "kubeconfig context to use")
	}
}

// load reads the snapshot: -f paths (the words after the flags are more paths, as a shell glob after
// -f gives them), else the cluster when --kubeconfig or --context is given or in.cluster is set, else
// the embedded example.
func (in *inputs) load(cmd *cobra.Command, args []string) (*cluster.Snapshot, error) {
	stderr := stickywriter.New(cmd.ErrOrStderr())
	warn := func(msg string) { stderr.Printf("tieracl: warning: %s\n", msg) }
	snap, err := in.read(cmd, args, warn)
	if err != nil {
		return nil, err
	}
	// A warning that cannot be shown must not pass silently.
	if err := stderr.Err(); err != nil {
		return nil, fmt.Errorf("standard error: %w", err)
	}
	return snap, nil
}

// read is load with warnings passed to warn.
func (in *inputs) read(cmd *cobra.Command, args []string, warn func(string)) (*cluster.Snapshot, error) {
	files := append(slices.Clone(in.files), args...)
	live := cmd.Flags().Changed("kubeconfig") || cmd.Flags().Changed("context") || in.cluster
	switch {
	case len(files) > 0:
		return loadFiles(files, cmd.InOrStdin(), warn)
	case live:
		cfg, err := kuberead.Config(in.kubeconfig, in.kubeContext)
		if err != nil {
			return nil, err
		}
		return kuberead.Read(context.Background(), cfg, warn)
	}
	set := manifest.NewSet()
	if err := set.AddFS(examples.FS, examples.Default, defaultExampleName); err != nil {
		return nil, err
	}
	return set.Snapshot(), nil
}

// loadFiles reads manifests as kubectl takes them: files, folders and "-" for standard input, with
// the kinds tieracl does not read (Services, ConfigMaps...) skipped and named in one warning.
func loadFiles(paths []string, stdin io.Reader, warn func(string)) (*cluster.Snapshot, error) {
	set := manifest.NewSet()
	set.SkipOtherKinds = true
	for _, p := range paths {
		if p != stdinName {
			if err := set.AddPaths(p); err != nil {
				return nil, err
			}
			continue
		}
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("standard input: %w", err)
		}
		if err := set.AddData("<stdin>", data); err != nil {
			return nil, err
		}
	}
	if skipped := set.Skipped(); len(skipped) > 0 {
		var parts []string
		for _, kind := range slices.Sorted(maps.Keys(skipped)) {
			parts = append(parts, fmt.Sprintf("%d %s", skipped[kind], kind))
		}
		warn("skipped objects of kinds tieracl does not read: " + strings.Join(parts, ", "))
	}
	return set.Snapshot(), nil
}
