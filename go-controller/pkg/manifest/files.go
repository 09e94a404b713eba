package manifest

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// manifestExtensions are the file names read from folders; a file named explicitly is read whatever
// its name.
var manifestExtensions = []string{".yaml", ".yml", ".json"}

// fileSystem is the part of a file system listFiles needs, so the same walk serves the local disk
// and embedded examples.
type fileSystem interface {
	Stat(name string) (fs.FileInfo, error)
	WalkDir(root string, fn fs.WalkDirFunc) error
}

type osFS struct{}

func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (osFS) WalkDir(root string, fn fs.WalkDirFunc) error { return filepath.WalkDir(root, fn) }

type ioFS struct{ fs.FS }

func (f ioFS) Stat(name string) (fs.FileInfo, error)        { return fs.Stat(f.FS, name) }
func (f ioFS) WalkDir(root string, fn fs.WalkDirFunc) error { return fs.WalkDir(f.FS, root, fn) }

// listFiles returns root if it is a file, or the manifest files below it, recursively, in lexical
// order (WalkDir's order), so loading is deterministic.
func listFiles(walker fileSystem, root string) ([]string, error) {
	info, err := walker.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", root, unwrapPathError(err))
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var files []string
	err = walker.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && hasManifestExtension(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no %s files in this folder", root, strings.Join(manifestExtensions, ", "))
	}
	return files, nil
}

func hasManifestExtension(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	for _, e := range manifestExtensions {
		if ext == e {
			return true
		}
	}
	return false
}

// unwrapPathError drops the *PathError's own copy of the path, which the caller already prints.
func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
