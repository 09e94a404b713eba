package main

// The real-OVN backends, "ovn" (ovn-trace) and "datapath" (real connections), register themselves;
// they need the OVN binaries of test/ovn/fetch.sh and, for the datapath, root.
import _ "github.com/tieracl/tieracl/go-controller/pkg/ovnbackend"
