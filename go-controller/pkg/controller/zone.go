package controller

import (
	"context"
	"fmt"

	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// Zone mode (Config.Zone) is for OVN interconnect clusters, where every zone (in OVN-Kubernetes, every
// node) has an NB of its own and one controller per zone writes it. A pod is in the zone whose NB holds
// its logical switch port: port groups get the members whose ports this NB holds, as nbsync writes only
// members it finds, and a selected pod whose port is absent is another zone's, so it is no gap
// (PortsMissing) here. Address sets and ACLs are the whole cluster's in every zone, as traffic from any
// zone reaches the pods of this one.

// zoneMode reports whether the controller writes one zone's NB.
func (c *Controller) zoneMode() bool { return c.cfg.Zone != "" }

// CheckZone fails unless the NB's availability zone name (NB_Global name, which ovn-ic and
// OVN-Kubernetes set) is zone, so that a controller pointed at another zone's NB refuses to write it.
// It reads NB_Global directly, as the controller's cache does not monitor it.
func CheckZone(ctx context.Context, nb client.Client, zone string) error {
	res, err := nb.Transact(ctx, ovsdb.Operation{Op: ovsdb.OperationSelect, Table: nbdb.NBGlobalTable,
		Where: []ovsdb.Condition{}, Columns: []string{"name"}})
	if err != nil {
		return fmt.Errorf("reading NB_Global: %w", err)
	}
	if len(res) != 1 || res[0].Error != "" {
		return fmt.Errorf("reading NB_Global: %v", res)
	}
	rows := res[0].Rows
	if len(rows) != 1 {
		return fmt.Errorf("NB has %d NB_Global rows, want 1", len(rows))
	}
	name, _ := rows[0]["name"].(string)
	if name != zone {
		return fmt.Errorf("--zone %s, but this NB is zone %q (NB_Global name)", zone, name)
	}
	return nil
}
