package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestShippedCommandsNeedNoTestCode checks that no shipped command links a package under test/: a
// `go install`ed tieracl has no source tree, so what it runs must live in go-controller/.
func TestShippedCommandsNeedNoTestCode(t *testing.T) {
	const module = "github.com/tieracl/tieracl/"
	out, err := exec.Command("go", "list", "-deps", module+"go-controller/cmd/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list named only %d packages: %v", len(deps), deps)
	}
	for _, pkg := range deps {
		if strings.HasPrefix(pkg, module+"test/") {
			t.Errorf("a shipped command depends on %s", pkg)
		}
	}
}
