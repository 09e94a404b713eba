package examples

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/acl"
	"github.com/tieracl/tieracl/go-controller/pkg/eval/model"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// evaluators are the two ways of judging an example: the API's semantics, and the generated OVN ACLs.
var evaluators = []struct {
	name string
	make func(s *cluster.Snapshot) (eval.Evaluator, error)
}{
	{"model", func(s *cluster.Snapshot) (eval.Evaluator, error) { return model.New(s), nil }},
	{"acl", func(s *cluster.Snapshot) (eval.Evaluator, error) {
		return acl.New(&translate.Translate(s, translate.Options{}).State)
	}},
}

// TestExamples runs every example's policy tests with both evaluators: each probe states what the seed
// text says, so a failure is either a misread example or an implementation bug.
func TestExamples(t *testing.T) {
	tests, err := exampleTests()
	if err != nil {
		t.Fatal(err)
	}
	if len(tests) == 0 {
		t.Fatal("no example tests found")
	}
	for _, path := range tests {
		suite, err := policytest.Load(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		for _, ev := range evaluators {
			t.Run(ev.name+"/"+path, func(t *testing.T) {
				e, err := ev.make(suite.Snapshot)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range policytest.Run(e, suite) {
					if r.Pass {
						continue
					}
					p := r.Probe
					t.Errorf("probes[%d] %s -> %s %s/%s %s: expected %s, got %s (%s)%s",
						r.Index, p.From, p.To, p.Protocol, p.Port.String(), p.Family, p.Expect, r.Got(),
						policytest.Deciding(r.Verdict), errText(r.Err))
				}
			})
		}
	}
}

// TestDefaultIsEmbedded checks that the CLI's default example and every example's files are in FS.
func TestDefaultIsEmbedded(t *testing.T) {
	if _, err := fs.Stat(FS, Default+"/test.yaml"); err != nil {
		t.Fatalf("default example: %v", err)
	}
	dirs, err := filepath.Glob("[0-9][0-9]-*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		for _, name := range []string{"README.md", "cluster.yaml", "test.yaml"} {
			if _, err := fs.Stat(FS, dir+"/"+name); err != nil {
				t.Errorf("%s: %v", dir, err)
			}
		}
	}
	readme, err := fs.ReadFile(FS, "README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if !strings.Contains(string(readme), dir) {
			t.Errorf("README.md does not list %s", dir)
		}
	}
	cnpDirs, err := filepath.Glob("cnp/[0-9][0-9]-*")
	if err != nil || len(cnpDirs) == 0 {
		t.Fatalf("no ClusterNetworkPolicy examples (%v)", err)
	}
	cnpReadme, err := fs.ReadFile(FS, "cnp/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range cnpDirs {
		if _, err := fs.Stat(FS, dir+"/test.yaml"); err != nil {
			t.Errorf("%s: %v", dir, err)
		}
		if !strings.Contains(string(cnpReadme), filepath.Base(dir)) {
			t.Errorf("cnp/README.md does not list %s", filepath.Base(dir))
		}
	}
}

// exampleTests are the policy tests of every example: the seed examples and their ClusterNetworkPolicy
// restatements under cnp/.
func exampleTests() ([]string, error) {
	var all []string
	for _, pattern := range []string{"[0-9][0-9]-*/test*.yaml", "cnp/[0-9][0-9]-*/test*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			return nil, err
		}
		all = append(all, m...)
	}
	return all, nil
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return ": " + err.Error()
}

// TestTestFilesListsBothForms: TestFiles finds both forms of the examples, and an empty folder is an error.
func TestTestFilesListsBothForms(t *testing.T) {
	files, err := TestFiles(".")
	if err != nil {
		t.Fatal(err)
	}
	var cnp int
	for _, f := range files {
		if strings.HasPrefix(f, "cnp/") {
			cnp++
		}
	}
	if cnp == 0 || cnp == len(files) {
		t.Errorf("%d files, %d of them CNP: want both forms", len(files), cnp)
	}
	if _, err := TestFiles(t.TempDir()); err == nil {
		t.Error("an empty folder gave no error")
	}
}
