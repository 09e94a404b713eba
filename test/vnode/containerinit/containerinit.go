// Package containerinit enters a virtual node's container: a small program of its own (no Kubernetes
// client in it), as every exec into a container starts it.
//
// What stands in for the agnhost image: the host's own root, seen through a per-pod root folder whose
// system folders are bind mounts of the host's, with the agnhost binary bound at /agnhost and a /tmp
// of the pod's own. The mounts live in a private mount namespace per process (`ip netns exec` makes one),
// so /agnhost never appears on the host, and every container and exec of a pod sees the same files.
package containerinit

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// hostDirs are bound into a container's root when the host has them, read-only but for the last four;
// /bin, /lib and so on are symlinks on a merged-/usr host and are copied as symlinks.
var hostDirs = []string{"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "dev", "proc", "sys", "run"}

var writableDirs = map[string]bool{"dev": true, "proc": true, "sys": true, "run": true}

// Run enters a container and runs its command:
// `tieracl-vnode-init --root R --tmp T --agnhost A --hostname H [--workdir D] -- argv...`. It must run in
// a mount and a UTS namespace of its own: it makes the mounts private, binds the host's folders, T at /tmp
// and A at /agnhost under R, sets the hostname, changes root to R and executes argv with the environment
// it was given.
func Run(args []string) error {
	fs := flag.NewFlagSet("tieracl-vnode-init", flag.ContinueOnError)
	root := fs.String("root", "", "the container's root folder")
	tmp := fs.String("tmp", "", "the pod's /tmp")
	agnhost := fs.String("agnhost", "", "the agnhost binary, bound at /agnhost")
	hostname := fs.String("hostname", "", "the container's hostname")
	workdir := fs.String("workdir", "/", "working directory inside the root")
	if err := fs.Parse(args); err != nil {
		return err
	}
	argv := fs.Args()
	if *root == "" || *tmp == "" || *agnhost == "" || len(argv) == 0 {
		return errors.New("--root, --tmp, --agnhost and a command are required")
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if err := bindRoot(*root, *tmp, *agnhost); err != nil {
		return err
	}
	if *hostname != "" {
		if err := unix.Sethostname([]byte(*hostname)); err != nil {
			return fmt.Errorf("sethostname: %w", err)
		}
	}
	if err := unix.Chroot(*root); err != nil {
		return fmt.Errorf("chroot %s: %w", *root, err)
	}
	if err := os.Chdir(*workdir); err != nil {
		return fmt.Errorf("working directory %s: %w", *workdir, err)
	}
	// exec.LookPath reads PATH from this process's environment, which is the container's.
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return fmt.Errorf("%s: %w", argv[0], err)
	}
	return syscall.Exec(path, argv, os.Environ())
}

func bindRoot(root, tmp, agnhost string) error {
	for _, d := range hostDirs {
		src := "/" + d
		fi, err := os.Lstat(src)
		if err != nil {
			continue
		}
		dst := filepath.Join(root, d)
		if fi.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(src)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil && !errors.Is(err, os.ErrExist) {
				return err
			}
			continue
		}
		if err := bind(src, dst, true); err != nil {
			return err
		}
		if !writableDirs[d] {
			if err := unix.Mount("", dst, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
				return fmt.Errorf("read-only %s: %w", dst, err)
			}
		}
	}
	for _, d := range []string{"root", "var/tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	if err := bind(tmp, filepath.Join(root, "tmp"), true); err != nil {
		return err
	}
	return bind(agnhost, filepath.Join(root, "agnhost"), false)
}

// bind mounts src at dst, recursively, making dst first (a folder, or an empty file for a file).
func bind(src, dst string, dir bool) error {
	if dir {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
	} else if f, err := os.OpenFile(dst, os.O_CREATE|os.O_RDONLY, 0o755); err != nil {
		return err
	} else {
		_ = f.Close() // an empty mount point opened read-only; nothing written to lose
	}
	if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s at %s: %w", src, dst, err)
	}
	return nil
}
