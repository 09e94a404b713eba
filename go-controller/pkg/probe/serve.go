package probe

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Ready is what the server prints, as one JSON line, once every port is open.
type Ready struct {
	Name      string   `json:"name"`
	Listening []string `json:"listening"`
	// Unsupported lists the SCTP ports the kernel could not open; clients get sctp-unsupported too.
	Unsupported []string `json:"unsupported,omitempty"`
}

// Server answers on its ports until the process ends.
type Server struct {
	name  string
	ready Ready
	tcp   []net.Listener
	udp   []net.PacketConn
	sctp  map[int]string // listening fd -> reply
}

// NewServer opens every port; name goes into each reply, so a client can tell who answered.
func NewServer(name string, ports []Listen) (*Server, error) {
	s := &Server{name: name, ready: Ready{Name: name, Listening: []string{}}, sctp: map[int]string{}}
	for _, p := range ports {
		addr := ":" + strconv.Itoa(int(p.Port))
		switch p.Protocol {
		case TCP:
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return nil, err
			}
			s.tcp = append(s.tcp, l)
		case UDP:
			c, err := net.ListenPacket("udp", addr)
			if err != nil {
				return nil, err
			}
			s.udp = append(s.udp, c)
		case SCTP:
			fd, err := listenSCTP(p.Port)
			if err != nil && sctpUnsupported(err) {
				s.ready.Unsupported = append(s.ready.Unsupported, p.String())
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("sctp %d: %w", p.Port, err)
			}
			s.sctp[fd] = s.reply(p)
		}
		s.ready.Listening = append(s.ready.Listening, p.String())
	}
	return s, nil
}

// Ready reports what the server opened.
func (s *Server) Ready() Ready { return s.ready }

func (s *Server) reply(p Listen) string { return s.name + " " + p.String() + "\n" }

// Serve answers on every port and returns the first listener error.
func (s *Server) Serve() error {
	errs := make(chan error, len(s.tcp)+len(s.udp)+len(s.sctp))
	for _, l := range s.tcp {
		port := l.Addr().(*net.TCPAddr).Port
		go func() { errs <- s.serveTCP(l, s.reply(Listen{TCP, uint16(port)})) }()
	}
	for _, c := range s.udp {
		port := c.LocalAddr().(*net.UDPAddr).Port
		go func() { errs <- serveUDP(c, s.reply(Listen{UDP, uint16(port)})) }()
	}
	for fd, reply := range s.sctp {
		go func() { errs <- serveSCTP(fd, reply) }()
	}
	if cap(errs) == 0 {
		select {} // nothing to serve; wait to be killed like any other server
	}
	return <-errs
}

func (s *Server) serveTCP(l net.Listener, reply string) error {
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer func() { _ = conn.Close() }() // one reply per connection, best effort
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := bufio.NewReader(conn).ReadString('\n'); err != nil {
				return
			}
			_, _ = conn.Write([]byte(reply))
		}()
	}
}

func serveUDP(c net.PacketConn, reply string) error {
	buf := make([]byte, 1500)
	for {
		_, from, err := c.ReadFrom(buf)
		if err != nil {
			return err
		}
		if _, err := c.WriteTo([]byte(reply), from); err != nil {
			return err
		}
	}
}
