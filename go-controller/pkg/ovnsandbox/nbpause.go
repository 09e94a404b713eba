package ovnsandbox

import (
	"fmt"
	"syscall"
)

// PauseNB stops the standalone NB ovsdb-server with SIGSTOP, as an NB too busy to answer: its clients
// keep their connections, which go quiet. resume sends SIGCONT; call it before Stop.
func (b *Bed) PauseNB() (resume func() error, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i, err := b.daemonIndex(nbDaemon)
	if err != nil {
		return nil, err
	}
	pid, err := readPid(b.daemons[i].pidFile)
	if err != nil {
		return nil, err
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		return nil, fmt.Errorf("pause NB (pid %d): %w", pid, err)
	}
	return func() error {
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
			return fmt.Errorf("resume NB (pid %d): %w", pid, err)
		}
		return nil
	}, nil
}
