package ovnsandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestSweepStale(t *testing.T) {
	if testing.Short() {
		t.Skip("needs root (network namespaces); skipped under -short")
	}
	if os.Geteuid() != 0 {
		t.Fatal("SweepStale needs root (network namespaces)")
	}
	cases := []struct {
		name string
		// pidFile is the content of ovsdb-nb.pid, sbPidFile of ovsdb-sb.pid; empty means none.
		pidFile, sbPidFile string
		wantDeleted        bool
	}{
		{name: "bed without NB server is swept", wantDeleted: true},
		{name: "pid file of a dead process is swept", pidFile: "2147483646", wantDeleted: true},
		{name: "running bed is left alone", pidFile: strconv.Itoa(os.Getpid()), wantDeleted: false},
		{name: "bed in an NB outage is left alone", pidFile: "2147483646", sbPidFile: strconv.Itoa(os.Getpid()),
			wantDeleted: false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			runDir := filepath.Join(parent, "tieracl-bed-swept-"+strconv.Itoa(i))
			if err := os.Mkdir(runDir, 0o755); err != nil {
				t.Fatal(err)
			}
			ns := "tbsweep" + strconv.Itoa(os.Getpid()) + "-" + strconv.Itoa(i)
			if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
				t.Fatalf("ip netns add: %v: %s", err, out)
			}
			t.Cleanup(func() { _ = exec.Command("ip", "netns", "delete", ns).Run() })
			if err := appendLine(filepath.Join(runDir, netnsRecord), ns); err != nil {
				t.Fatal(err)
			}
			for file, pid := range map[string]string{"ovsdb-nb.pid": tc.pidFile, "ovsdb-sb.pid": tc.sbPidFile} {
				if pid == "" {
					continue
				}
				if err := os.WriteFile(filepath.Join(runDir, file), []byte(pid+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := SweepStale(parent); err != nil {
				t.Fatalf("SweepStale: %v", err)
			}
			_, err := os.Stat(filepath.Join("/run/netns", ns))
			if deleted := os.IsNotExist(err); deleted != tc.wantDeleted {
				t.Fatalf("namespace deleted = %v, want %v", deleted, tc.wantDeleted)
			}
			if _, err := os.Stat(runDir); err != nil {
				t.Fatalf("run folder must stay for its logs: %v", err)
			}
		})
	}
}
