package vnode

import (
	"strings"

	"golang.org/x/sys/unix"
)

// kernelHasSCTP tells whether this kernel can make SCTP sockets; this machine's cannot.
func kernelHasSCTP() bool {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_SCTP)
	if err != nil {
		return false
	}
	_ = unix.Close(fd) // a probe socket, never used
	return true
}

func kernelVersion() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return strings.TrimRight(string(u.Release[:]), "\x00")
}
