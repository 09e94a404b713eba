package ovnsandbox

import (
	"fmt"
	"os/exec"
)

// hostTools are programs the sandbox takes from the host, not from the OVN installation, with the Debian
// package that has each.
var hostTools = map[string]string{"ethtool": "ethtool", "openssl": "openssl", "ip": "iproute2"}

// requireHostTools fails, naming the packages to install, when a host program is not on PATH.
func requireHostTools(names ...string) error {
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			return fmt.Errorf("%s is not on PATH; the OVN sandbox needs it (Debian package %s)", name, hostTools[name])
		}
	}
	return nil
}
