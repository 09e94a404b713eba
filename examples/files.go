package examples

import (
	"fmt"
	"path/filepath"
)

// TestFiles lists the policy test files of every example, ANP and CNP forms, under dir (the examples
// folder as the caller sees it on disk), in folder order; it fails when there is none.
func TestFiles(dir string) ([]string, error) {
	var files []string
	for _, pattern := range []string{"[0-9][0-9]-*/test*.yaml", "cnp/[0-9][0-9]-*/test*.yaml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no example policy tests under %s", dir)
	}
	return files, nil
}
