package ovnsandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeInstall lays out an installation under dir: every program as an empty executable at bin(name),
// and the schemas in share. tiers false strips ACL tiers from the NB schema, as OVN 23.03's lacks them.
func fakeInstall(t *testing.T, bin func(name string) string, share string, tiers bool) {
	t.Helper()
	for _, name := range allPrograms() {
		write(t, bin(name), "#!/bin/sh\n", 0o755)
	}
	nb, err := os.ReadFile("../nbdb/ovn-nb.ovsschema")
	if err != nil {
		t.Fatal(err)
	}
	if !tiers {
		nb = []byte(strings.Replace(string(nb), `"tier":`, `"not-a-tier":`, 1))
	}
	write(t, filepath.Join(share, "ovn", "ovn-nb.ovsschema"), string(nb), 0o644)
	write(t, filepath.Join(share, "ovn", "ovn-sb.ovsschema"), "{}", 0o644)
	write(t, filepath.Join(share, "openvswitch", "vswitch.ovsschema"), "{}", 0o644)
}

func write(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

func packageRoot(t *testing.T, tiers bool) string {
	root := t.TempDir()
	fakeInstall(t, func(name string) string {
		if rel, ok := packageLayout[name]; ok {
			return filepath.Join(root, rel)
		}
		return filepath.Join(root, "usr/bin", name)
	}, filepath.Join(root, "usr/share"), tiers)
	return root
}

// prefixTree is a bin folder with sbin and share beside it, as `make install` leaves one.
func prefixTree(t *testing.T) string {
	prefix := t.TempDir()
	fakeInstall(t, func(name string) string {
		if name == "ovsdb-server" || name == "ovs-vswitchd" {
			return filepath.Join(prefix, "sbin", name)
		}
		return filepath.Join(prefix, "bin", name)
	}, filepath.Join(prefix, "share"), true)
	return filepath.Join(prefix, "bin")
}

func TestFindOVN(t *testing.T) {
	tests := []struct {
		name    string
		dir     func(t *testing.T) string // the --ovn-bin value
		env     func(t *testing.T) string // TIERACL_OVN_BIN
		path    func(t *testing.T) string // PATH
		wantErr []string                  // substrings of the error; none means success
	}{
		{name: "a package root by flag", dir: func(t *testing.T) string { return packageRoot(t, true) }},
		{name: "a bin folder by flag", dir: prefixTree},
		{name: "the environment when no flag", env: func(t *testing.T) string { return packageRoot(t, true) }},
		{name: "PATH when neither", path: prefixTree},
		{name: "an OVN without ACL tiers is refused", dir: func(t *testing.T) string { return packageRoot(t, false) },
			wantErr: []string{"no ACL tiers", "23.03", "--ovn-bin", BinEnv}},
		{name: "an empty folder names what is missing", dir: func(t *testing.T) string { return t.TempDir() },
			wantErr: []string{"missing ovsdb-tool, ovsdb-server", "ovn-nb.ovsschema", "--ovn-bin DIR", BinEnv}},
		{name: "nothing on PATH says where it looked", path: func(t *testing.T) string { return t.TempDir() },
			wantErr: []string{"OVN installation (PATH)", "missing ovsdb-tool", "--ovn-bin DIR"}},
		{name: "a folder that does not exist", dir: func(t *testing.T) string { return "/nonexistent/ovn" },
			wantErr: []string{"--ovn-bin /nonexistent/ovn"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			val := func(f func(*testing.T) string) string {
				if f == nil {
					return ""
				}
				return f(t)
			}
			dir := val(tc.dir)
			t.Setenv(BinEnv, val(tc.env))
			path := val(tc.path)
			if path == "" {
				path = t.TempDir()
			}
			t.Setenv("PATH", path)
			inst, err := FindOVN(dir)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				for _, name := range allPrograms() {
					if _, err := inst.argv(name); err != nil {
						t.Errorf("%s: %v", name, err)
					}
				}
				return
			}
			if err == nil {
				t.Fatalf("FindOVN succeeded; want an error with %q", tc.wantErr)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}
