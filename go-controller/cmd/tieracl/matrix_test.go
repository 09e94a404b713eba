package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/matrix"
)

// TestMatrixHTMLInChromium renders the HTML matrix in a real headless Chromium (Debian's package) and
// reads the page it rendered: the summary lines its script writes, and every cell naming its decider.
func TestMatrixHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a headless Chromium; skipped under -short")
	}
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("Chromium is needed to render the matrix page (apt-get install -y chromium): %v", err)
	}
	args := []string{"matrix", "-f", liveExample, "--port", "8080", "--port", "UDP/9999"}
	var m matrix.Matrix
	if err := json.Unmarshal([]byte(expectCLI(t, 0, append(args, "-o", "json"))), &m); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "matrix.html")
	if err := os.WriteFile(page, []byte(expectCLI(t, 0, append(args, "-o", "html"))), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+page)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	if !strings.Contains(dom, `data-rendered="yes"`) {
		t.Fatalf("the page's script did not run in Chromium:\n%.2000s", dom)
	}
	for _, g := range m.Grids {
		for _, view := range matrix.Views {
			allowed, denied := 0, 0
			for _, row := range g.Cells {
				for _, c := range row {
					if v, ok := c.Views[view]; ok && v.Allowed {
						allowed++
					} else if ok {
						denied++
					}
				}
			}
			want := fmt.Sprintf(`<p class="summary" id="summary-%s-%s-%s">%s: %d allowed, %d denied, 0 disagreeing</p>`,
				g.Port.Protocol, g.Port.Port, view, view, allowed, denied)
			if !strings.Contains(dom, want) {
				t.Errorf("rendered page lacks %s", want)
			}
		}
	}
	// The cell of a denied connection names the tier, policy and rule.
	cell := regexp.MustCompile(`<td class="deny" title="monitoring/prometheus-k8s-0\(10\.244\.1\.10\) -&gt; ` +
		`restricted-a/db-0\([^"]*\) ` +
		`TCP/8080: tier 1 AdminNetworkPolicy/block-monitoring #0 deny-ingress-from-monitoring \(ACL ` +
		`anp:block-monitoring:in:0\)">` +
		`✗<small>tier 1 AdminNetworkPolicy/block-monitoring #0 deny-ingress-from-monitoring</small></td>`)
	if !cell.MatchString(dom) {
		t.Errorf("rendered page lacks the cell that block-monitoring denies:\n%.3000s", dom)
	}
	if n := strings.Count(dom, "<table"); n != 2*len(matrix.Views) {
		t.Errorf("rendered page has %d tables, want %d", n, 2*len(matrix.Views))
	}
}
