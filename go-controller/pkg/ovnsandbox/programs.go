package ovnsandbox

import (
	"context"
	"path/filepath"
)

// This file lets a bed built from several beds (test/zones: one per OVN interconnect zone) start more
// OVN programs in one of them, with the same run folder, environment and Stop.

// StartProgram starts an OVN program from the root as a daemon of the bed, with its pid file, log and
// control socket in the run folder under name, and waits until every unix socket in ready accepts a
// connection. Stop stops it, newest first, as the bed's own daemons.
func (b *Bed) StartProgram(ctx context.Context, name, program string, ready []string, args ...string) error {
	_, err := b.startDaemon(ctx, name, "", program, ready, args...)
	return err
}

// Run runs an OVN program from the root with the bed's environment and returns its stdout.
func (b *Bed) Run(ctx context.Context, program string, args ...string) (string, error) {
	return b.run(ctx, program, args...)
}

// RunCommand runs any command line (ip, for one) with the bed's environment and returns its stdout;
// errors carry its stderr.
func (b *Bed) RunCommand(ctx context.Context, argv ...string) (string, error) {
	return b.runArgv(ctx, argv)
}

// SwitchNS is the network namespace of the datapath's ovs-vswitchd and br-int; empty before
// StartDatapath.
func (b *Bed) SwitchNS() string {
	if b.datapath == nil {
		return ""
	}
	return b.datapath.switchNS
}

// ControlSocket is the unixctl socket of a daemon the bed started, for ovs-appctl -t.
func (b *Bed) ControlSocket(name string) string { return b.ctlSocket(name) }

// ICSchema is the path of an OVN interconnect schema ("ic-nb" or "ic-sb") of the installation, after it
// checked that the installation has the interconnect programs and that schema.
func (b *Bed) ICSchema(db string) (string, error) {
	schema := filepath.Join(b.OVN.ovnShare, "ovn-"+db+".ovsschema")
	return schema, b.OVN.check(interconnectPrograms, schema)
}
