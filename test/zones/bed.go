// Package zones runs two or more OVN zones joined by real OVN interconnect, as an OVN-Kubernetes
// interconnect cluster is: each zone is a go-controller/pkg/ovnsandbox bed with its own NB, SB, ovn-northd,
// ovs-vswitchd (userspace datapath) and ovn-controller, and its own ovn-ic; the interconnect NB and SB live in the
// first zone's run folder; a transit switch joins one router per zone; geneve tunnels cross an underlay
// veth between the zones' switch namespaces. Pods are go-controller/pkg/ovnsandbox endpoints bound to their zone's
// logical switch, so real packets between pods of different zones cross the transit switch and both
// zones' ACLs. See docs/testing.md.
package zones

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tieracl/tieracl/go-controller/pkg/ovnsandbox"
)

// Options configure Start. The zero value is usable.
type Options struct {
	// Zones is how many zones to run; 2 when zero.
	Zones int
	// Bed configures every zone's bed (run folder, probe binary).
	Bed ovnsandbox.Options
}

// Zone is one OVN zone of the bed.
type Zone struct {
	// Name is the zone's availability zone name, NB_Global's name, as `--zone` takes it.
	Name string
	// Bed is the zone's own control plane and datapath.
	*ovnsandbox.Bed
	index int
}

// Bed is a running multi-zone bed. Its methods are for one goroutine at a time.
type Bed struct {
	Zones   []*Zone
	stopped bool
}

// Start brings up every zone with its datapath, the interconnect databases, one ovn-ic per zone, the
// underlay and the transit switch, and waits until each zone's gateway chassis is known to the others.
func Start(ctx context.Context, opts Options) (_ *Bed, err error) {
	n := opts.Zones
	if n == 0 {
		n = 2
	}
	if n < 2 || n > maxZones {
		return nil, fmt.Errorf("zones: want 2 to %d zones, not %d", maxZones, n)
	}
	b := &Bed{}
	defer func() {
		if err != nil {
			err = errors.Join(err, b.Stop())
		}
	}()
	for i := range n {
		zb, err := ovnsandbox.Start(ctx, opts.Bed)
		if err != nil {
			return nil, fmt.Errorf("zone %d: %w", i+1, err)
		}
		z := &Zone{Name: fmt.Sprintf("az%d", i+1), Bed: zb, index: i}
		b.Zones = append(b.Zones, z)
		if _, err := z.NBCtl(ctx, "set", "NB_Global", ".", "name="+z.Name); err != nil {
			return nil, err
		}
		if err := z.StartDatapath(ctx); err != nil {
			return nil, fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	if err := b.startInterconnect(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// Stop stops every zone, the last first, so the interconnect databases in the first zone go last.
// It is safe to call more than once.
func (b *Bed) Stop() error {
	if b.stopped {
		return nil
	}
	b.stopped = true
	var errs []error
	for i := len(b.Zones) - 1; i >= 0; i-- {
		errs = append(errs, b.Zones[i].Stop())
	}
	return errors.Join(errs...)
}

// KeepRunDir keeps every zone's run folder after Stop, e.g. once a test has failed.
func (b *Bed) KeepRunDir() {
	for _, z := range b.Zones {
		z.KeepRunDir()
	}
}

// Logs returns the last lines of every daemon's log in every zone.
func (b *Bed) Logs(lines int) string {
	out := ""
	for _, z := range b.Zones {
		out += fmt.Sprintf("######## zone %s (%s)\n%s", z.Name, z.Dir, z.Logs(lines))
	}
	return out
}

// WaitHV returns once every zone's chassis has installed the flows for its NB's current contents.
func (b *Bed) WaitHV(ctx context.Context) error {
	for _, z := range b.Zones {
		if err := z.WaitHV(ctx); err != nil {
			return fmt.Errorf("zone %s: %w", z.Name, err)
		}
	}
	return nil
}

// waitTimeout bounds each wait for ovn-ic to carry something from one zone to another.
const waitTimeout = 30 * time.Second
