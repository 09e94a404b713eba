package ovnsandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// BinEnv names the OVN installation to use when Options.OVN is empty; PATH is searched when both are.
const BinEnv = "TIERACL_OVN_BIN"

// Install is an OVN and Open vSwitch installation the sandbox runs: where each program and schema is.
type Install struct {
	// Dir is the directory it was found in, as given; empty when found on PATH.
	Dir string

	programs map[string]string // by name; a missing one is absent
	prefix   []string          // the root's own loader, for an unpacked package root that brings one
	ovnShare string            // the folder of ovn-nb.ovsschema
	ovsShare string            // the folder of vswitch.ovsschema
}

// Programs of the control plane, which every sandbox runs; the datapath and NB over SSL need more.
var (
	controlPrograms = []string{"ovsdb-tool", "ovsdb-server", "ovsdb-client", "ovn-northd", "ovn-nbctl", "ovn-sbctl",
		"ovn-trace", "ovn-appctl"}
	datapathPrograms = []string{"ovs-vsctl", "ovs-appctl", "ovs-ofctl", "ovs-vswitchd", "ovn-controller"}
	tlsPrograms      = []string{"ovs-pki"}
	// interconnectPrograms are OVN interconnect's (Debian's ovn-ic and ovn-ic-db), for multi-zone beds.
	interconnectPrograms = []string{"ovn-ic", "ovn-ic-nbctl", "ovn-ic-sbctl"}
)

// packageLayout is where Debian's packages put each program, relative to an unpacked root.
var packageLayout = map[string]string{
	"ovsdb-server": "usr/sbin/ovsdb-server",
	"ovs-vswitchd": "usr/lib/openvswitch-switch/ovs-vswitchd",
}

// Paths of an unpacked package root with its own loader, as test/ovn/fetch.sh makes: its programs run
// through that loader so they find the root's libraries on an older host.
const (
	loaderPath  = "usr/lib64/ld-linux-x86-64.so.2"
	libraryPath = "usr/lib/x86_64-linux-gnu"
)

// FindOVN finds the OVN installation: dir when set (a --ovn-bin flag), else $TIERACL_OVN_BIN, else PATH.
// A directory may hold the programs (a bin folder, with sbin and share beside it) or be an unpacked
// package root (usr/bin/ovn-northd inside). It fails, naming what is missing, when a control-plane
// program or schema is absent, and refuses an OVN whose Northbound schema has no ACL tiers.
func FindOVN(dir string) (*Install, error) {
	source := "--ovn-bin " + dir
	if dir == "" {
		dir = os.Getenv(BinEnv)
		source = BinEnv + "=" + dir
	}
	var inst *Install
	switch {
	case dir == "":
		source = "PATH"
		inst = fromPath()
	case isFile(filepath.Join(dir, "usr/bin/ovn-northd")):
		inst = fromPackageRoot(dir)
	default:
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("OVN installation (%s): %w", source, err)
		}
		inst = fromBinDir(dir)
	}
	// A too old OVN is named as such before anything it lacks besides.
	if isFile(inst.nbSchema()) {
		if err := checkTiers(inst.nbSchema()); err != nil {
			return nil, fmt.Errorf("OVN installation (%s): %w", source, err)
		}
	}
	if err := inst.check(controlPrograms, inst.nbSchema(), inst.sbSchema()); err != nil {
		return nil, fmt.Errorf("OVN installation (%s): %w", source, err)
	}
	return inst, nil
}

func fromPackageRoot(root string) *Install {
	inst := &Install{Dir: root, programs: map[string]string{},
		ovnShare: filepath.Join(root, "usr/share/ovn"), ovsShare: filepath.Join(root, "usr/share/openvswitch")}
	if isFile(filepath.Join(root, loaderPath)) {
		inst.prefix = []string{filepath.Join(root, loaderPath), "--library-path", filepath.Join(root, libraryPath)}
	}
	for _, name := range allPrograms() {
		rel, ok := packageLayout[name]
		if !ok {
			rel = "usr/bin/" + name
		}
		if p := filepath.Join(root, rel); isFile(p) {
			inst.programs[name] = p
		}
	}
	return inst
}

// fromBinDir takes programs from dir and, for the daemons, from sbin and Debian's
// lib/openvswitch-switch beside it.
func fromBinDir(dir string) *Install {
	parent := filepath.Dir(filepath.Clean(dir))
	inst := &Install{Dir: dir, programs: map[string]string{},
		ovnShare: filepath.Join(parent, "share/ovn"), ovsShare: filepath.Join(parent, "share/openvswitch")}
	for _, name := range allPrograms() {
		for _, d := range []string{dir, filepath.Join(parent, "sbin"), filepath.Join(parent, "lib/openvswitch-switch")} {
			if p := filepath.Join(d, name); isFile(p) {
				inst.programs[name] = p
				break
			}
		}
	}
	return inst
}

// fromPath looks programs up on PATH and, for the daemons, which are often not on a user's PATH, in
// sbin and lib/openvswitch-switch beside the folder ovn-nbctl is in, then in the system's; schemas in
// share beside that folder, else under /usr/share.
func fromPath() *Install {
	inst := &Install{programs: map[string]string{}, ovnShare: "/usr/share/ovn", ovsShare: "/usr/share/openvswitch"}
	for _, name := range allPrograms() {
		if p, err := exec.LookPath(name); err == nil {
			inst.programs[name] = p
		}
	}
	var extra []string
	if nbctl, ok := inst.programs["ovn-nbctl"]; ok {
		parent := filepath.Dir(filepath.Dir(nbctl))
		extra = []string{filepath.Join(parent, "sbin"), filepath.Join(parent, "lib/openvswitch-switch")}
		if share := filepath.Join(parent, "share"); isFile(filepath.Join(share, "ovn/ovn-nb.ovsschema")) {
			inst.ovnShare, inst.ovsShare = filepath.Join(share, "ovn"), filepath.Join(share, "openvswitch")
		}
	}
	extra = append(extra, "/usr/sbin", "/usr/local/sbin", "/usr/lib/openvswitch-switch")
	for _, name := range allPrograms() {
		if _, ok := inst.programs[name]; ok {
			continue
		}
		for _, d := range extra {
			if p := filepath.Join(d, name); isFile(p) {
				inst.programs[name] = p
				break
			}
		}
	}
	return inst
}

func allPrograms() []string {
	return slices.Concat(controlPrograms, datapathPrograms, tlsPrograms, interconnectPrograms)
}

func (inst *Install) nbSchema() string { return filepath.Join(inst.ovnShare, "ovn-nb.ovsschema") }
func (inst *Install) sbSchema() string { return filepath.Join(inst.ovnShare, "ovn-sb.ovsschema") }
func (inst *Install) vsSchema() string { return filepath.Join(inst.ovsShare, "vswitch.ovsschema") }

// check names every program and file of the lists that the installation lacks.
func (inst *Install) check(programs []string, files ...string) error {
	var missing []string
	for _, name := range programs {
		if _, ok := inst.programs[name]; !ok {
			missing = append(missing, name)
		}
	}
	for _, f := range files {
		if !isFile(f) {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	where := "PATH, /usr/sbin and /usr/lib/openvswitch-switch"
	if inst.Dir != "" {
		where = inst.Dir
	}
	return fmt.Errorf("missing %s (looked in %s); install OVN 25.03 and Open vSwitch (Debian trixie: "+
		"ovn-central, ovn-host, openvswitch-switch) or give --ovn-bin DIR or %s=DIR, a folder with the "+
		"programs or an unpacked package root", strings.Join(missing, ", "), where, BinEnv)
}

// checkTiers refuses a Northbound schema without ACL tiers or the pass action: tieracl's rows need both,
// and an older OVN (Debian 12's 23.03) would reject them or, worse, evaluate them in the wrong order.
func checkTiers(nbSchema string) error {
	raw, err := os.ReadFile(nbSchema)
	if err != nil {
		return err
	}
	var schema struct {
		Version string `json:"version"`
		Tables  map[string]struct {
			Columns map[string]json.RawMessage `json:"columns"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		return fmt.Errorf("%s: %w", nbSchema, err)
	}
	acl := schema.Tables["ACL"].Columns
	if _, ok := acl["tier"]; !ok || !strings.Contains(string(acl["action"]), `"pass"`) {
		return fmt.Errorf("%s (Northbound schema %s) has no ACL tiers or no pass action, which tieracl "+
			"needs (OVN 23.03 and older lack them; tieracl is tested with OVN 25.03): install a newer OVN "+
			"or point --ovn-bin or %s at one", nbSchema, schema.Version, BinEnv)
	}
	return nil
}

// argv is the command line that runs program, through the root's own loader when it has one.
func (inst *Install) argv(program string, args ...string) ([]string, error) {
	p, ok := inst.programs[program]
	if !ok {
		if !slices.Contains(allPrograms(), program) {
			return nil, fmt.Errorf("unknown OVN program %q", program)
		}
		return nil, inst.check([]string{program})
	}
	return slices.Concat(inst.prefix, []string{p}, args), nil
}

// script is the path of a shell script of the installation, such as ovs-pki, run with bash.
func (inst *Install) script(name string) (string, error) {
	p, ok := inst.programs[name]
	if !ok {
		return "", inst.check([]string{name})
	}
	return p, nil
}

// env points OVS's and OVN's own data folders at the installation's, so their scripts and defaults
// find the schemas it brought.
func (inst *Install) env() []string {
	bin := filepath.Dir(inst.programs["ovn-nbctl"])
	return []string{"OVS_PKGDATADIR=" + inst.ovsShare, "OVN_PKGDATADIR=" + inst.ovnShare,
		"OVS_BINDIR=" + bin, "OVN_BINDIR=" + bin}
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}
