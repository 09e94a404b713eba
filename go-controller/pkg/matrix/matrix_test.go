package matrix

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// TestMatrixAgreesWithExampleProbes builds the matrix of every example over the ports its probes use
// and checks each probe's cell against the probe's expected verdict.
func TestMatrixAgreesWithExampleProbes(t *testing.T) {
	files, err := filepath.Glob("../../../examples/*/test.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example tests: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			suite, err := policytest.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			byFamily := map[string][]policytest.Probe{}
			for _, p := range suite.Probes {
				byFamily[p.Family] = append(byFamily[p.Family], p)
			}
			for family, probes := range byFamily {
				opts := Options{Family: family}
				for _, p := range probes {
					port := Port{Protocol: p.Protocol, Port: p.Port.String()}
					if !slices.Contains(opts.Ports, port) {
						opts.Ports = append(opts.Ports, port)
					}
					opts.Nodes = opts.Nodes || strings.HasPrefix(p.To, policytest.NodePrefix)
					if !isPodKey(p.From) {
						opts.IPs = appendNew(opts.IPs, p.From)
					}
					if !isPodKey(p.To) {
						opts.IPs = appendNew(opts.IPs, p.To)
					}
				}
				m, err := Build(suite.Snapshot, opts)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range probes {
					c := m.cell(t, p)
					v, ok := c.Views[Combined]
					if !ok {
						t.Errorf("%s -> %s %s/%s: no flow: %s", p.From, p.To, p.Protocol, p.Port.String(), c.Skip)
						continue
					}
					if v.Allowed != (p.Expect == policytest.ExpectAllow) || !v.Agree {
						t.Errorf("%s: matrix says allowed=%v (model agrees: %v), the probe expects %s", c.Flow, v.Allowed, v.Agree,
							p.Expect)
					}
				}
			}
		})
	}
}

func isPodKey(s string) bool { return strings.Count(s, "/") == 1 }

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func (m *Matrix) cell(t *testing.T, p policytest.Probe) Cell {
	t.Helper()
	from, to := slices.Index(m.Endpoints, p.From), slices.Index(m.Endpoints, p.To)
	if strings.HasPrefix(p.To, policytest.NodePrefix) && to < 0 {
		t.Fatalf("node endpoint %s not in the matrix", p.To)
	}
	for _, g := range m.Grids {
		if g.Port.Protocol == p.Protocol && g.Port.Port == p.Port.String() && from >= 0 && to >= 0 {
			return g.Cells[from][to]
		}
	}
	t.Fatalf("no cell for %s -> %s %s/%s in %v", p.From, p.To, p.Protocol, p.Port.String(), m.Endpoints)
	return Cell{}
}

func TestParsePort(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"80", "TCP/80", ""}, {"udp/53", "UDP/53", ""}, {"TCP/http", "TCP/http", ""}, {"sctp/9000", "SCTP/9000", ""},
		{"ICMP/1", "", "protocol must be TCP, UDP or SCTP"}, {"TCP/", "", "no port"}, {"70000", "", "out of range"},
	}
	for _, tc := range cases {
		p, err := ParsePort(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParsePort(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || p.String() != tc.want {
			t.Errorf("ParsePort(%q) = %v, %v; want %s", tc.in, p, err, tc.want)
		}
	}
}

func TestWriteTextNamesDeniers(t *testing.T) {
	suite, err := policytest.Load("../../../examples/01-okd-monitoring-precedence/test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Build(suite.Snapshot, Options{Ports: []Port{{"TCP", "8080"}}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteText(&b, m); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"TCP/8080 combined", "tenant-b/web-0 -> tenant-a/web-0: tier 2 " +
		"NetworkPolicy/tenant-a/deny-all-ingress ACL np:tenant-a/deny-all-ingress:in:isolate",
		"monitoring/prometheus-k8s-0 -> restricted-a/db-0: tier 1 AdminNetworkPolicy/block-monitoring #0 " +
			"deny-ingress-from-monitoring"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
