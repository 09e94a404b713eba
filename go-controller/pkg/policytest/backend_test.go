package policytest

import (
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
)

func TestBackendRegistry(t *testing.T) {
	RegisterBackend("fake-for-test", func(*cluster.Snapshot) (eval.Evaluator, error) { return fakeEvaluator{}, nil })
	b, err := LookupBackend("fake-for-test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b(&cluster.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	_, err = LookupBackend("nope")
	if err == nil || !strings.Contains(err.Error(), `unknown backend "nope"; known: `) || !strings.Contains(err.Error(), "fake-for-test") {
		t.Errorf("unknown backend: got %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice did not panic")
		}
	}()
	RegisterBackend("fake-for-test", nil)
}
