package probe

import (
	"errors"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Go's net package has no SCTP, so the probe speaks it through one-to-one style sockets
// (SOCK_STREAM, IPPROTO_SCTP), which behave like TCP sockets at the system-call level.

// sctpUnsupported tells whether a socket() error means the kernel has no SCTP here.
func sctpUnsupported(err error) bool {
	return errors.Is(err, unix.EPROTONOSUPPORT) || errors.Is(err, unix.ESOCKTNOSUPPORT) ||
		errors.Is(err, unix.EAFNOSUPPORT)
}

func sockaddr(ap netip.AddrPort) (int, unix.Sockaddr) {
	if ap.Addr().Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

func dialSCTP(t Target, timeout time.Duration) Result {
	deadline := time.Now().Add(timeout)
	family, sa := sockaddr(t.Addr)
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
	if err != nil {
		if sctpUnsupported(err) {
			return Result{Outcome: SCTPUnsupported, Error: "socket: " + err.Error()}
		}
		return Result{Outcome: Failed, Error: "socket: " + err.Error()}
	}
	defer func() { _ = unix.Close(fd) }() // the outcome is known; a close error changes none

	if err := unix.Connect(fd, sa); err != nil && !errors.Is(err, unix.EINPROGRESS) {
		return fromError(err, "")
	}
	if ok, err := waitFD(fd, unix.POLLOUT, deadline); err != nil {
		return Result{Outcome: Failed, Error: err.Error()}
	} else if !ok {
		return Result{Outcome: TimedOut, Error: "connect: timed out"}
	}
	if soErr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil {
		return Result{Outcome: Failed, Error: err.Error()}
	} else if soErr != 0 {
		return fromError(syscall.Errno(soErr), "")
	}
	if _, err := unix.Write(fd, []byte(request)); err != nil {
		return fromError(err, "sending request")
	}
	if ok, err := waitFD(fd, unix.POLLIN, deadline); err != nil {
		return Result{Outcome: Failed, Error: err.Error()}
	} else if !ok {
		return Result{Outcome: TimedOut, Error: "reading reply: timed out"}
	}
	buf := make([]byte, 512)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return fromError(err, "reading reply")
	}
	if n == 0 {
		return Result{Outcome: Reset, Error: "reading reply: connection closed"}
	}
	return Result{Outcome: Connected, Reply: strings.TrimSpace(string(buf[:n]))}
}

// waitFD polls fd for events until deadline; false means the deadline passed first.
func waitFD(fd int, events int16, deadline time.Time) (bool, error) {
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false, nil
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: events}}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return false, err
		}
		if n > 0 {
			return true, nil
		}
	}
}

// listenSCTP opens a listening SCTP socket on every address, IPv6 with IPv4-mapped when the namespace
// has IPv6, plain IPv4 otherwise.
func listenSCTP(port uint16) (int, error) {
	var lastErr error
	for _, family := range []int{unix.AF_INET6, unix.AF_INET} {
		fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_SCTP)
		if err != nil {
			lastErr = err
			continue
		}
		var sa unix.Sockaddr = &unix.SockaddrInet4{Port: int(port)}
		if family == unix.AF_INET6 {
			sa = &unix.SockaddrInet6{Port: int(port)}
			_ = unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0)
		}
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		if err := unix.Bind(fd, sa); err != nil {
			_ = unix.Close(fd) // never listened on; the bind or listen error is the one to return
			lastErr = err
			continue
		}
		if err := unix.Listen(fd, 64); err != nil {
			_ = unix.Close(fd) // never listened on; the bind or listen error is the one to return
			lastErr = err
			continue
		}
		return fd, nil
	}
	return -1, lastErr
}

// serveSCTP answers every association on fd with reply; it returns only when accept fails.
func serveSCTP(fd int, reply string) error {
	for {
		conn, _, err := unix.Accept4(fd, unix.SOCK_CLOEXEC)
		if errors.Is(err, unix.EINTR) || errors.Is(err, unix.ECONNABORTED) {
			continue
		}
		if err != nil {
			return err
		}
		go func() {
			defer func() { _ = unix.Close(conn) }() // one reply per association, best effort
			buf := make([]byte, 512)
			if _, err := unix.Read(conn, buf); err != nil {
				return
			}
			_, _ = unix.Write(conn, []byte(reply))
		}()
	}
}
