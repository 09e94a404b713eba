package ovnsandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// nbDaemon is the name of a standalone NB ovsdb-server among the bed's daemons; the members of a
// clustered NB are ovsdb-nb1, ovsdb-nb2, ...
const nbDaemon = "ovsdb-nb"

// startDB runs the ovsdb-server of a standalone database db ("nb" or "sb") on its file and socket in the
// run folder; with Options.NBTLS the NB also listens for SSL.
func (b *Bed) startDB(ctx context.Context, db string) (*daemon, error) {
	args := []string{"--remote=punix:" + b.socketFile(db)}
	if db == "nb" && b.pki != nil {
		args = append(args, b.pki.serverArgs()...)
	}
	return b.startDaemon(ctx, "ovsdb-"+db, "", "ovsdb-server", []string{b.socketFile(db)}, append(args, b.dbFile(db))...)
}

// StopNB stops only the standalone NB ovsdb-server, as an NB outage: clients see their connection drop
// and ovn-northd keeps running. The database file stays; StartNB serves it again.
func (b *Bed) StopNB() error { return b.stopServer(nbDaemon, b.socketFile("nb"), false) }

// StartNB starts the NB ovsdb-server StopNB stopped, on the same database file and socket, and waits
// until it listens. The new process takes the old one's place, so Stop still stops it last.
func (b *Bed) StartNB(ctx context.Context) error {
	return b.restartServer(nbDaemon, func() (*daemon, error) { return b.startDB(ctx, "nb") })
}

// RestartNB stops the NB ovsdb-server and starts it again on the same database file and socket.
func (b *Bed) RestartNB(ctx context.Context) error {
	if err := b.StopNB(); err != nil {
		return err
	}
	return b.StartNB(ctx)
}

// stopServer stops the named ovsdb-server, with SIGTERM or, when kill, with SIGKILL as a crash would, and
// removes its socket: a server that ended without cleaning up must not leave one a restart would take
// for ready.
func (b *Bed) stopServer(name, socket string, kill bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i, err := b.daemonIndex(name)
	if err != nil {
		return err
	}
	if kill {
		err = b.daemons[i].kill(5 * time.Second)
	} else {
		err = b.daemons[i].stop(5 * time.Second)
	}
	if err != nil {
		return err
	}
	if err := os.Remove(socket); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// restartServer runs start for the named daemon, which must have ended, and puts the new process in the
// old one's place among the daemons.
func (b *Bed) restartServer(name string, start func() (*daemon, error)) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i, err := b.daemonIndex(name)
	if err != nil {
		return err
	}
	select {
	case <-b.daemons[i].exited:
	default:
		return fmt.Errorf("ovnsandbox: %s is still running", name)
	}
	before := len(b.daemons)
	_, err = start()
	if n := len(b.daemons); n > before {
		// startDaemon appended the new process (also when it did not get ready, so Stop ends it).
		b.daemons[i] = b.daemons[n-1]
		b.daemons = b.daemons[:n-1]
	}
	return err
}

// daemonIndex finds a daemon by name; the caller holds b.mu.
func (b *Bed) daemonIndex(name string) (int, error) {
	if b.stopped {
		return 0, fmt.Errorf("ovnsandbox: the bed is stopped")
	}
	for i, d := range b.daemons {
		if d.name == name {
			return i, nil
		}
	}
	if name == nbDaemon && b.opts.NBServers > 1 {
		return 0, fmt.Errorf("ovnsandbox: the NB is a cluster of %d members: stop and start them one by one "+
			"(KillNBMember, StartNBMember)", b.opts.NBServers)
	}
	return 0, fmt.Errorf("ovnsandbox: no %s daemon", name)
}

// kill ends the daemon with SIGKILL, as a crash would, reaps it and removes the pid file it could not
// (stop goes by that file).
func (d *daemon) kill(timeout time.Duration) error {
	select {
	case <-d.exited:
		return nil
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("%s: %w", d.name, err)
	}
	if err := d.reap(timeout); err != nil {
		return err
	}
	if err := os.Remove(d.pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
