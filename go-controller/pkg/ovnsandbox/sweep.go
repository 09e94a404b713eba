package ovnsandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// netnsRecord is the file in a run folder listing the bed's network namespaces, one per line.
const netnsRecord = "netns"

// SweepStale deletes the network namespaces of beds under dir whose NB server is gone, as after a test
// binary was killed before Stop (the daemons die with it; namespaces would stay). Run folders are left
// for their logs. Start calls it for its own parent folder.
func SweepStale(dir string) error {
	runDirs, err := filepath.Glob(filepath.Join(dir, "tieracl-bed-*"))
	if err != nil {
		return err
	}
	var errs []error
	for _, runDir := range runDirs {
		record := filepath.Join(runDir, netnsRecord)
		raw, err := os.ReadFile(record)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if bedAlive(runDir) {
			continue
		}
		var present []string
		for _, name := range strings.Fields(string(raw)) {
			if _, err := os.Stat(filepath.Join("/run/netns", name)); err == nil {
				present = append(present, name)
			}
		}
		if err := deleteNetns(present); err != nil {
			errs = append(errs, fmt.Errorf("sweeping %s: %w", runDir, err))
			continue
		}
		errs = append(errs, os.Remove(record))
	}
	return errors.Join(errs...)
}

// bedAlive tells whether the bed still runs: its NB or its SB ovsdb-server (StopNB stops only NB, for an
// outage, and the bed's namespaces must survive it). Both start before any namespace exists and Stop ends
// them after deleting them all. A pid file left by a killed daemon names a dead pid.
func bedAlive(runDir string) bool {
	for _, server := range []string{nbDaemon, "ovsdb-sb"} {
		pid, err := readPid(filepath.Join(runDir, server+".pid"))
		if err != nil {
			continue
		}
		if err := syscall.Kill(pid, 0); err == nil || errors.Is(err, syscall.EPERM) {
			return true
		}
	}
	return false
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		_ = f.Close() // the write error is the one that matters
		return err
	}
	return f.Close()
}
