package ovnbackend

import (
	"context"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
	"github.com/tieracl/tieracl/test/testbed"
)

// testBackend is the named real-OVN backend on the OVN of test/ovn/fetch.sh and a tieracl-probe built
// from source; it fails the test when either cannot be had.
func testBackend(t *testing.T, name string) policytest.Backend {
	t.Helper()
	parts, err := testbed.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bed := ovnsandbox.Options{OVN: parts.OVN, ProbeBinary: parts.ProbeBinary}
	b, err := policytest.Backends{
		NameOVN:      OVNBackend(bed),
		NameDatapath: DatapathBackend(DatapathOptions{Bed: bed}),
	}.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
