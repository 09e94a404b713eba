package examples

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/render"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

var update = flag.Bool("update", false, "rewrite the examples' rows.golden files from the current translator")

// TestGoldenRows pins the NB rows each example renders to: any change to what tieracl writes into OVN
// shows up here as a diff to review (go test ./examples -run Golden -update rewrites them).
func TestGoldenRows(t *testing.T) {
	tests, err := filepath.Glob("[0-9][0-9]-*/test.yaml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no examples (%v)", err)
	}
	for _, path := range tests {
		dir := filepath.Dir(path)
		t.Run(dir, func(t *testing.T) {
			suite, err := policytest.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			res := translate.Translate(suite.Snapshot, translate.Options{})
			// The table is what a person reviews; the JSON pins every column and member.
			for format, file := range map[render.Format]string{render.Table: "rows.golden", render.JSON: "rows.json.golden"} {
				var got bytes.Buffer
				if err := render.State(&got, format, &res.State, res.Policies); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join(dir, file)
				if *update {
					if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./examples -run Golden -update)", err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("%s: rendered rows changed; review and rerun with -update.\n--- got\n%s", golden, got.String())
				}
			}
		})
	}
}
