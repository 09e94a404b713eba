package bench

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The reference workloads need a generator that is not part of this repository: without it the bench
// must say so and how to name it, not fail on an empty path.
func TestReferenceWorkloadWithoutGenerator(t *testing.T) {
	for _, tc := range []struct {
		name, genPy string
		want        []string
	}{
		{"unset", "", []string{"workload w1", "not part of this repository", "--genpy", "TIERACL_GENPY"}},
		{"absent", filepath.Join(t.TempDir(), "gen.py"), []string{"workload w1", "generator is missing", "gen.py"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadWorkload(context.Background(), "w1", WorkloadOptions{GenPy: tc.genPy, TempDir: t.TempDir()})
			if err == nil {
				t.Fatal("LoadWorkload(w1) without gen.py: no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}
