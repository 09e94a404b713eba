package testbed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// nbDaemon is the name of the NB ovsdb-server among the bed's daemons.
const nbDaemon = "ovsdb-nb"

// startDB runs the ovsdb-server of database db ("nb" or "sb") on its file and socket in the run folder.
func (b *Bed) startDB(ctx context.Context, db string) (*daemon, error) {
	return b.startDaemon(ctx, "ovsdb-"+db, "", "ovsdb-server", []string{b.socketFile(db)},
		"--remote=punix:"+b.socketFile(db), b.dbFile(db))
}

// StopNB stops only the NB ovsdb-server, as an NB outage: clients see their connection drop and
// ovn-northd keeps running. The database file stays; StartNB serves it again.
func (b *Bed) StopNB() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i, err := b.nbIndex()
	if err != nil {
		return err
	}
	if err := b.daemons[i].stop(5 * time.Second); err != nil {
		return err
	}
	// A server that ended without cleaning up must not leave a socket StartNB would take for ready.
	if err := os.Remove(b.socketFile("nb")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// StartNB starts the NB ovsdb-server StopNB stopped, on the same database file and socket, and waits
// until it listens. The new process takes the old one's place, so Stop still stops it last.
func (b *Bed) StartNB(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i, err := b.nbIndex()
	if err != nil {
		return err
	}
	select {
	case <-b.daemons[i].exited:
	default:
		return fmt.Errorf("testbed: %s is still running", nbDaemon)
	}
	before := len(b.daemons)
	_, err = b.startDB(ctx, "nb")
	if n := len(b.daemons); n > before {
		// startDaemon appended the new process (also when it did not get ready, so Stop ends it).
		b.daemons[i] = b.daemons[n-1]
		b.daemons = b.daemons[:n-1]
	}
	return err
}

// RestartNB stops the NB ovsdb-server and starts it again on the same database file and socket.
func (b *Bed) RestartNB(ctx context.Context) error {
	if err := b.StopNB(); err != nil {
		return err
	}
	return b.StartNB(ctx)
}

// nbIndex finds the NB server among the daemons; the caller holds b.mu.
func (b *Bed) nbIndex() (int, error) {
	if b.stopped {
		return 0, fmt.Errorf("testbed: the bed is stopped")
	}
	for i, d := range b.daemons {
		if d.name == nbDaemon {
			return i, nil
		}
	}
	return 0, fmt.Errorf("testbed: no %s daemon", nbDaemon)
}
