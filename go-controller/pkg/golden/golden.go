// Package golden compares test output with golden files. It owns the -update flag, which exists only in the
// test binaries of packages that import it (examples, go-controller/pkg/render, go-controller/pkg/explain):
// `go test ./examples ./go-controller/pkg/render ./go-controller/pkg/explain -update` rewrites their golden
// files. `go test ./... -update` fails in every other package with "flag provided but not defined".
package golden

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Check compares got with the file at path, or rewrites the file when -update is given.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update in this package creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update in this package rewrites it):\n--- got\n%s\n--- want\n%s",
			path, got, want)
	}
}
