// Command tieracl-probe is the datapath backend's probe server and client; see go-controller/pkg/probe.
package main

import (
	"os"

	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

func main() { os.Exit(probe.Main(os.Args[1:], os.Stdout, os.Stderr)) }
