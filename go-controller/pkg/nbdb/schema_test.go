package nbdb

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedModelMatchesSchema regenerates the model from the committed schema into a temporary
// folder and compares it with the committed files, so the two can never drift apart.
func TestGeneratedModelMatchesSchema(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command("go", "run", "github.com/ovn-kubernetes/libovsdb/cmd/modelgen", "-extended", "-p", "nbdb", "-o", out, "ovn-nb.ovsschema")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("modelgen: %v\n%s", err, msg)
	}
	generated, err := filepath.Glob(filepath.Join(out, "*.go"))
	if err != nil || len(generated) == 0 {
		t.Fatalf("modelgen wrote no files (%v)", err)
	}
	for _, g := range generated {
		want, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Base(g))
		if err != nil {
			t.Errorf("%s is generated but not committed: %v", filepath.Base(g), err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what modelgen makes of ovn-nb.ovsschema: run make generate", filepath.Base(g))
		}
	}
}

// TestSchemaIsOVN2503 guards against a schema from another OVN release sneaking in.
func TestSchemaIsOVN2503(t *testing.T) {
	s := Schema()
	if s.Name != "OVN_Northbound" || s.Version != "7.11.0" {
		t.Fatalf("schema %s %s, want OVN_Northbound 7.11.0 (OVN 25.03)", s.Name, s.Version)
	}
	acl, ok := s.Tables["ACL"]
	if !ok {
		t.Fatal("no ACL table")
	}
	if _, ok := acl.Columns["tier"]; !ok {
		t.Fatal("ACL has no tier column: tiers need OVN 23.06 or later")
	}
}
