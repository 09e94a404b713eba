package examples

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/golden"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/render"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// TestGoldenRows pins the NB rows each example renders to: any change to what tieracl writes into OVN
// shows up here as a diff to review (go test ./examples -run Golden -update rewrites them).
func TestGoldenRows(t *testing.T) {
	tests, err := exampleTests()
	if err != nil || len(tests) == 0 {
		t.Fatalf("no examples (%v)", err)
	}
	for _, path := range tests {
		if filepath.Base(path) != "test.yaml" {
			continue // a folder's other test files share its manifests
		}
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
				golden.Check(t, filepath.Join(dir, file), got.Bytes())
			}
		})
	}
}
