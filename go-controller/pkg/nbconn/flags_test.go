package nbconn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPortNameTemplate(t *testing.T) {
	cases := []struct {
		template, want, err string
	}{
		{DefaultPortTemplate, "ns1_web-0", ""},
		{"{{.Namespace}}.{{.Name}}.port", "ns1.web-0.port", ""},
		{"{{.Namespace", "", "unclosed action"},
		{"{{.Nope}}", "", "can't evaluate field Nope"},
	}
	for _, tc := range cases {
		t.Run(tc.template, func(t *testing.T) {
			f := Defaults()
			f.PortNameTemplate = tc.template
			namer, err := f.PortNamer()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := namer("ns1", "web-0"); got != tc.want {
				t.Errorf("port name = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTLSConfig(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, address, key, cert, ca, err string
	}{
		{"unix needs nothing", "unix:/run/nb.sock", "", "", "", ""},
		{"tcp needs nothing", "tcp:127.0.0.1:6641", "", "", "", ""},
		{"ssl without files", "ssl:10.0.0.1:6641", "", "", "", "need --nb-client-key"},
		{"ssl in a list", "tcp:10.0.0.1:6641,ssl:10.0.0.2:6641", "", "", "", "need --nb-client-key"},
		{"unreadable pair", "ssl:10.0.0.1:6641", bad, bad, bad, "NB client certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := Defaults()
			f.Address, f.ClientKey, f.ClientCert, f.CACert = tc.address, tc.key, tc.cert, tc.ca
			cfg, err := f.TLSConfig()
			if tc.err == "" {
				if err != nil || cfg != nil {
					t.Fatalf("tlsConfig = %v, %v; want no TLS", cfg, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want one containing %q", err, tc.err)
			}
		})
	}
}
