package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

// brokenPipe takes the first keep bytes, then fails every write as a reader that went away does.
type brokenPipe struct {
	keep int
	buf  bytes.Buffer
}

func (b *brokenPipe) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.keep {
		return 0, io.ErrClosedPipe
	}
	return b.buf.Write(p)
}

// TestOutputWriteFails checks that output lost to a failing standard output fails the command with exit 2
// and says why, whether the first write fails or a later one.
func TestOutputWriteFails(t *testing.T) {
	commands := []struct {
		name string
		args []string
	}{
		{"version", []string{"version"}},
		{"render table", []string{"render", "-f", "testdata/cluster.yaml"}},
		{"render json", []string{"render", "-f", "testdata/cluster.yaml", "-o", "json"}},
		{"test", []string{"test", "-f", "testdata/pass.yaml", "-f", "testdata/fail.yaml"}},
		{"explain", []string{"explain", "-f", "testdata/cluster.yaml", "--from", "monitoring/prometheus", "--to",
			"shop/web", "--port", "http"}},
		{"selects", []string{"selects", "-f", "testdata/cluster.yaml", "--pod", "shop/web"}},
		{"matrix", []string{"matrix", "-f", "testdata/cluster.yaml", "--port", "8080"}},
	}
	for _, c := range commands {
		_, full, _ := runCLI(c.args...)
		// Fail at once, and halfway through the output.
		for _, keep := range []int{0, len(full) / 2} {
			t.Run(fmt.Sprintf("%s, fails after %d bytes", c.name, keep), func(t *testing.T) {
				stdout := &brokenPipe{keep: keep}
				var stderr bytes.Buffer
				if code := runIO(c.args, strings.NewReader(""), stdout, &stderr); code != exitError {
					t.Errorf("exit code %d, want %d; stderr: %s", code, exitError, stderr.String())
				}
				if !strings.Contains(stderr.String(), io.ErrClosedPipe.Error()) {
					t.Errorf("stderr %q does not name the write error", stderr.String())
				}
			})
		}
	}
}

// TestWarningWriteFails checks that a warning lost to a failing standard error fails the command.
func TestWarningWriteFails(t *testing.T) {
	var stdout bytes.Buffer
	stderr := &brokenPipe{}
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n"
	if code := runIO([]string{"render", "-f", "-"}, strings.NewReader(manifest), &stdout, stderr); code != exitError {
		t.Errorf("exit code %d, want %d", code, exitError)
	}
	if stdout.Len() != 0 {
		t.Errorf("rendered although the warning was lost:\n%s", stdout.String())
	}
}
