// Package ovnsandbox runs a real OVN 25.03 control plane, and on demand a userspace datapath with pods as
// network namespaces, in a private folder per Bed, so tests and `tieracl test` can check generated ACLs
// against ovn-northd, ovn-trace and real packets. See docs/testing.md.
package ovnsandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configure Start. The zero value is usable.
type Options struct {
	// Dir is where the bed's run folder is made; os.TempDir() when empty.
	Dir string
	// KeepRunDir leaves the run folder (databases, logs) in place after Stop, for debugging.
	KeepRunDir bool
	// OVN is the folder of the OVN installation to run (see FindOVN); when empty, $TIERACL_OVN_BIN, then
	// PATH.
	OVN string
	// ProbeBinary is a built tieracl-probe; when empty, StartDatapath takes the one next to the running
	// program, else the one on PATH.
	ProbeBinary string
	// NBServers above 1 makes the NB a raft cluster of that many ovsdb-servers; NBSocket then lists them
	// all, as a client of a clustered NB is given them.
	NBServers int
	// NBTLS also serves a standalone NB over SSL on a loopback port, with certificates made by ovs-pki
	// (see Bed.NBTLS).
	NBTLS bool
}

// Bed is one running test bed. Its methods are safe for use by one goroutine at a time, except the
// read-only accessors.
type Bed struct {
	// OVN is the installation the daemons and tools run from.
	OVN *Install
	// Dir is the bed's private run folder: databases, sockets, pid files and logs.
	Dir string
	// ID is unique per bed; it prefixes the bed's network namespace names.
	ID string

	opts     Options
	mu       sync.Mutex
	daemons  []*daemon
	datapath *datapath
	topology *Topology
	pki      *pki
	stopped  bool
	attached bool // made by Attach: the daemons and the run folder are someone else's
}

// Start brings up NB and SB ovsdb-servers and ovn-northd in a new run folder.
func Start(ctx context.Context, opts Options) (_ *Bed, err error) {
	inst, err := FindOVN(opts.OVN)
	if err != nil {
		return nil, err
	}
	parent := opts.Dir
	if parent == "" {
		parent = os.TempDir()
	}
	idBytes := make([]byte, 3)
	if _, err := rand.Read(idBytes); err != nil {
		return nil, err
	}
	id := hex.EncodeToString(idBytes)
	dir, err := os.MkdirTemp(parent, "tieracl-bed-"+id+"-")
	if err != nil {
		return nil, err
	}
	// The result is unnamed so that "return nil, err" cannot clear b before the deferred Stop reads it.
	b := &Bed{OVN: inst, Dir: dir, ID: id, opts: opts}
	defer func() {
		if err != nil {
			err = errors.Join(err, b.Stop())
		}
	}()
	if err := SweepStale(parent); err != nil {
		return nil, err
	}
	if opts.NBTLS {
		if opts.NBServers > 1 {
			return nil, errors.New("ovnsandbox: NBTLS serves a standalone NB only")
		}
		if b.pki, err = b.newPKI(ctx); err != nil {
			return nil, err
		}
	}
	for _, db := range []struct{ name, schema string }{{"nb", inst.nbSchema()}, {"sb", inst.sbSchema()}} {
		if db.name == "nb" && opts.NBServers > 1 {
			if err := b.startNBCluster(ctx, opts.NBServers); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := b.run(ctx, "ovsdb-tool", "create", b.dbFile(db.name), db.schema); err != nil {
			return nil, err
		}
		if _, err := b.startDB(ctx, db.name); err != nil {
			return nil, err
		}
	}
	if _, err := b.startDaemon(ctx, "ovn-northd", "", "ovn-northd", nil,
		"--ovnnb-db="+b.NBSocket(), "--ovnsb-db="+b.SBSocket()); err != nil {
		return nil, err
	}
	if err := b.WaitNorthd(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// NBSocket is the Northbound database's remote, "unix:<path>"; for a clustered NB every member's,
// comma-separated.
func (b *Bed) NBSocket() string {
	if b.opts.NBServers < 2 {
		return "unix:" + b.socketFile("nb")
	}
	remotes := make([]string, b.opts.NBServers)
	for i := range remotes {
		remotes[i] = b.NBMemberSocket(i)
	}
	return strings.Join(remotes, ",")
}

// SBSocket is the Southbound database's remote, "unix:<path>".
func (b *Bed) SBSocket() string { return "unix:" + b.socketFile("sb") }

func (b *Bed) socketFile(db string) string { return filepath.Join(b.Dir, db+".sock") }
func (b *Bed) dbFile(db string) string     { return filepath.Join(b.Dir, db+".db") }
func (b *Bed) ctlSocket(name string) string {
	return filepath.Join(b.Dir, name+".ctl")
}

// env keeps every OVS and OVN default path inside the run folder, so nothing reads or writes /var/run,
// /var/log or /etc.
func (b *Bed) env() []string {
	vars := []string{"OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVS_SYSCONFDIR", "OVN_RUNDIR", "OVN_LOGDIR",
		"OVN_DBDIR", "OVN_SYSCONFDIR"}
	env := os.Environ()
	for _, v := range vars {
		env = append(env, v+"="+b.Dir)
	}
	return append(env, b.OVN.env()...)
}

// Stop stops every process the bed started, newest first, deletes its network namespaces, and removes
// the run folder unless Options.KeepRunDir. It is safe to call more than once.
func (b *Bed) Stop() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return nil
	}
	b.stopped = true
	if b.attached {
		return b.stopAttached()
	}
	var errs []error
	if b.datapath != nil {
		errs = append(errs, b.datapath.stopProbes())
	}
	// The datapath's daemons go first, then its namespaces, and the NB server last: while its pid file
	// lives the bed counts as running, so SweepStale in another process leaves its namespaces alone.
	namespacesLeft := b.datapath != nil
	for i := len(b.daemons) - 1; i >= 0; i-- {
		if namespacesLeft && i < b.datapath.firstDaemon {
			errs = append(errs, b.datapath.deleteNamespaces(b.Dir))
			namespacesLeft = false
		}
		errs = append(errs, b.daemons[i].stop(5*time.Second))
	}
	if namespacesLeft {
		errs = append(errs, b.datapath.deleteNamespaces(b.Dir))
	}
	err := errors.Join(errs...)
	if err == nil && !b.opts.KeepRunDir {
		err = os.RemoveAll(b.Dir)
	}
	if err != nil {
		return fmt.Errorf("stopping bed %s (run folder %s): %w", b.ID, b.Dir, err)
	}
	return nil
}

// KeepRunDir makes Stop leave the run folder in place, e.g. once a test has failed.
func (b *Bed) KeepRunDir() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opts.KeepRunDir = true
}

// Logs returns the last lines of every daemon's log, for test failure messages.
func (b *Bed) Logs(lines int) string {
	out := ""
	for _, d := range b.daemons {
		out += fmt.Sprintf("==> %s <==\n%s\n", d.name, tailFile(d.logFile, lines))
	}
	return out
}
