package vnode

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// initArgv is the command line that runs argv in the container of a pod whose folders are p: inside
// network namespace netns (`ip netns exec` also gives it a mount namespace of its own), through
// tieracl-vnode-init (package containerinit), which makes the container's root and enters it.
func initArgv(initBinary, netns string, p podDirs, agnhost, hostname, workdir string, argv []string) []string {
	if workdir == "" {
		workdir = "/"
	}
	out := []string{"ip", "netns", "exec", netns, initBinary, "--root=" + p.root, "--tmp=" + p.tmp,
		"--agnhost=" + agnhost, "--hostname=" + hostname, "--workdir=" + workdir, "--"}
	return append(out, argv...)
}

// podDirs are a pod's folders in the agent's state folder.
type podDirs struct{ base, root, tmp string }

func newPodDirs(stateDir, uid string) (podDirs, error) {
	base := filepath.Join(stateDir, "pods", uid)
	p := podDirs{base: base, root: filepath.Join(base, "root"), tmp: filepath.Join(base, "tmp")}
	for _, d := range []string{p.root, p.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return p, err
		}
	}
	// Sticky and world-writable, as a /tmp is.
	return p, os.Chmod(p.tmp, 0o1777)
}

func (p podDirs) logFile(container string, restart int32) string {
	return filepath.Join(p.base, fmt.Sprintf("%s-%d.log", strings.ReplaceAll(container, "/", "_"), restart))
}
