package ovnsandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
)

// Handle names a running bed's datapath, so that another process (a node agent) can wire endpoints into
// it with Attach while the bed's owner keeps its daemons.
type Handle struct {
	OVN      string // the OVN installation's folder (Install.Dir); empty for PATH
	Dir      string // the bed's run folder
	ID       string
	SwitchNS string // the network namespace of br-int
}

// Handle describes the bed for Attach; the datapath must be started.
func (b *Bed) Handle() (Handle, error) {
	if b.datapath == nil {
		return Handle{}, errors.New("datapath not started")
	}
	return Handle{OVN: b.OVN.Dir, Dir: b.Dir, ID: b.ID, SwitchNS: b.datapath.switchNS}, nil
}

var attachPrefix = regexp.MustCompile(`^[a-z0-9]{1,6}$`)

// Attach returns a Bed that adds and removes endpoints on h's datapath, naming its namespaces and veths
// with prefix (1 to 6 lower-case letters or digits, unique among the beds attached to h). It starts no
// daemon. Its Stop deletes the namespaces it made and nothing else; they are also in h's record, so
// SweepStale deletes them once the bed is gone, should the attached process die first.
func Attach(h Handle, prefix string) (*Bed, error) {
	if !attachPrefix.MatchString(prefix) {
		return nil, fmt.Errorf("attach prefix %q: want 1 to 6 lower-case letters or digits", prefix)
	}
	if _, err := os.Stat(h.Dir); err != nil {
		return nil, fmt.Errorf("bed run folder: %w", err)
	}
	inst, err := FindOVN(h.OVN)
	if err != nil {
		return nil, err
	}
	b := &Bed{OVN: inst, Dir: h.Dir, ID: h.ID + prefix, attached: true}
	b.datapath = &datapath{switchNS: h.SwitchNS, endpoints: map[string]*Netns{}, linkPrefix: "v" + prefix + "p"}
	return b, nil
}

// RemoveEndpoint undoes AddPodNamespace or AddNodeNamespace for key: the port leaves br-int, its logical
// switch port leaves the NB, and the namespace (with its veth) is deleted. A missing key is no error.
func (b *Bed) RemoveEndpoint(ctx context.Context, key string) error {
	if err := b.removeEndpoint(ctx, key); err != nil {
		return err
	}
	b.mu.Lock()
	if b.topology != nil {
		delete(b.topology.Pods, key)
	}
	b.mu.Unlock()
	return nil
}

// removeEndpoint is RemoveEndpoint without the topology, which needs b.mu.
func (b *Bed) removeEndpoint(ctx context.Context, key string) error {
	dp := b.datapath
	if dp == nil {
		return errors.New("datapath not started")
	}
	n, ok := dp.endpoints[key]
	if !ok {
		return nil
	}
	var errs []error
	if _, err := b.VSCtl(ctx, "--timeout=20", "--if-exists", "del-port", BridgeName, n.HostLink); err != nil {
		errs = append(errs, err)
	}
	if _, err := b.NBCtl(ctx, "--if-exists", "lsp-del", n.Port.Name); err != nil {
		errs = append(errs, err)
	}
	if err := deleteNetns([]string{n.Name}); err != nil {
		errs = append(errs, err)
	} else {
		dp.namespaces = slices.DeleteFunc(dp.namespaces, func(s string) bool { return s == n.Name })
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing %s: %w", key, err)
	}
	delete(dp.endpoints, key)
	return nil
}

// stopAttached deletes what an attached bed made: its endpoints, as RemoveEndpoint does. Stop holds b.mu.
func (b *Bed) stopAttached() error {
	var errs []error
	for key := range b.datapath.endpoints {
		errs = append(errs, b.removeEndpoint(context.Background(), key))
	}
	return errors.Join(errs...)
}
