package main

import (
	"github.com/tieracl/tieracl/go-controller/pkg/ovnbackend"
	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// backends are what `tieracl test --backend` offers. The real-OVN ones, "ovn" (ovn-trace) and
// "datapath" (real connections, needs root and tieracl-probe), run the OVN installation in ovnBin, else
// $TIERACL_OVN_BIN, else the one on PATH (ovnsandbox.FindOVN).
func backends(ovnBin string) policytest.Backends {
	bed := ovnsandbox.Options{OVN: ovnBin}
	return policytest.Backends{
		policytest.BackendModel: policytest.Model,
		policytest.BackendACL:   policytest.ACL,
		ovnbackend.NameOVN:      ovnbackend.OVNBackend(bed),
		ovnbackend.NameDatapath: ovnbackend.DatapathBackend(ovnbackend.DatapathOptions{Bed: bed}),
	}
}
