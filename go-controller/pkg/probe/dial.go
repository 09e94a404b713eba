package probe

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// request is what the client sends; the server answers with one line naming itself.
const request = "probe\n"

// Dial tries one connection and waits at most timeout for the server's reply.
func Dial(t Target, timeout time.Duration) Result {
	start := time.Now()
	var r Result
	switch t.Protocol {
	case TCP:
		r = dialTCP(t, timeout)
	case UDP:
		r = dialUDP(t, timeout)
	case SCTP:
		r = dialSCTP(t, timeout)
	default:
		r = Result{Outcome: Failed, Error: "unknown protocol " + string(t.Protocol)}
	}
	r.Target = t.String()
	r.Elapsed = time.Since(start)
	return r
}

func dialTCP(t Target, timeout time.Duration) Result {
	deadline := time.Now().Add(timeout)
	conn, err := net.DialTimeout("tcp", t.Addr.String(), timeout)
	if err != nil {
		return fromError(err, "")
	}
	defer func() { _ = conn.Close() }() // the reply is read; a close error changes no outcome
	return exchange(conn, deadline)
}

// dialUDP uses a connected socket so an ICMP port unreachable surfaces as ECONNREFUSED on read.
func dialUDP(t Target, timeout time.Duration) Result {
	deadline := time.Now().Add(timeout)
	conn, err := net.Dial("udp", t.Addr.String())
	if err != nil {
		return fromError(err, "")
	}
	defer func() { _ = conn.Close() }() // the reply is read; a close error changes no outcome
	return exchange(conn, deadline)
}

// exchange sends the request and reads one reply line before deadline.
func exchange(conn net.Conn, deadline time.Time) Result {
	if err := conn.SetDeadline(deadline); err != nil {
		return Result{Outcome: Failed, Error: err.Error()}
	}
	if _, err := io.WriteString(conn, request); err != nil {
		return fromError(err, "sending request")
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fromError(err, "reading reply")
	}
	return Result{Outcome: Connected, Reply: strings.TrimSpace(line)}
}

// fromError classifies a socket error; stage says what had already worked, for the report.
func fromError(err error, stage string) Result {
	msg := err.Error()
	if stage != "" {
		msg = stage + ": " + msg
	}
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return Result{Outcome: Refused, Error: msg}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF):
		return Result{Outcome: Reset, Error: msg}
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return Result{Outcome: Unreachable, Error: msg}
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return Result{Outcome: TimedOut, Error: msg}
	}
	return Result{Outcome: Failed, Error: msg}
}
