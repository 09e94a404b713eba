// Command tieracl-probe is the test bed's probe server and client; see test/testbed/probe.
package main

import (
	"os"

	"github.com/tieracl/tieracl/test/testbed/probe"
)

func main() { os.Exit(probe.Main(os.Args[1:], os.Stdout, os.Stderr)) }
