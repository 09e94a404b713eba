// Command tieracl-vnode-init enters a virtual node's container and runs its command (package
// test/vnode/containerinit); tieracl-vnode starts it for every container and every exec.
package main

import (
	"fmt"
	"os"

	"github.com/tieracl/tieracl/test/vnode/containerinit"
)

func main() {
	err := containerinit.Run(os.Args[1:])
	fmt.Fprintln(os.Stderr, "tieracl-vnode-init:", err)
	os.Exit(127)
}
