package controller

import (
	"sync"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/model"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// rowNames maps the UUIDs of one NB table's rows to their names, kept up to date from the cache's
// events. The drift check of a port group reads the name of every ACL it lists after each change of
// it, and the audit the name of every port of a group that differs; the cache's Row copies the whole
// row for that, which was a sixth of the controller's CPU in a steady pod stream. It also maps names
// back to UUIDs, for the audit of port groups, which sends the UUIDs of the ports a group should hold.
type rowNames struct {
	table string
	row   func(model.Model) (uuid, name string, ok bool)

	mu    sync.RWMutex
	names map[string]string
	uuids map[string]string // name -> UUID of the row of that name heard of last
}

func portRow(m model.Model) (uuid, name string, ok bool) {
	if lsp, ok := m.(*nbdb.LogicalSwitchPort); ok {
		return lsp.UUID, lsp.Name, true
	}
	return "", "", false
}

func aclRow(m model.Model) (uuid, name string, ok bool) {
	if acl, ok := m.(*nbdb.ACL); ok {
		return acl.UUID, deref(acl.Name), true
	}
	return "", "", false
}

// indexRowNames registers an index's event handler, then fills it from the cache under its lock, so an
// event handled after the fill is newer than the copy the fill read.
func (c *Controller) indexRowNames(table string, row func(model.Model) (uuid, name string, ok bool)) *rowNames {
	r := &rowNames{table: table, row: row, names: map[string]string{}, uuids: map[string]string{}}
	set := func(t string, m model.Model, present bool) {
		uuid, n, ok := r.row(m)
		if !ok || t != r.table {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if was, ok := r.names[uuid]; ok && r.uuids[was] == uuid {
			delete(r.uuids, was)
		}
		if present {
			r.names[uuid], r.uuids[n] = n, uuid
		} else {
			delete(r.names, uuid)
		}
	}
	c.cfg.NB.Cache().AddEventHandler(&cache.EventHandlerFuncs{
		AddFunc:    func(t string, m model.Model) { set(t, m, true) },
		DeleteFunc: func(t string, m model.Model) { set(t, m, false) },
		UpdateFunc: func(t string, _, now model.Model) { set(t, now, true) },
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := c.cfg.NB.Cache().Table(table); t != nil {
		for uuid, m := range t.RowsShallow() {
			if _, n, ok := r.row(m); ok {
				r.names[uuid], r.uuids[n] = n, uuid
			}
		}
	}
	return r
}

// uuidOf returns the UUID of the row of this name the index knows; a row it has not heard of yet is
// not found.
func (r *rowNames) uuidOf(name string) (string, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	uuid, ok := r.uuids[name]
	return uuid, ok
}

// nameOf returns the name of the row with this UUID. The index hears of a row after the cache holds
// it, so a row the index does not know yet is looked up in the cache itself.
func (c *Controller) nameOf(r *rowNames, uuid string) (string, bool) {
	r.mu.RLock()
	n, ok := r.names[uuid]
	r.mu.RUnlock()
	if ok {
		return n, true
	}
	if t := c.cfg.NB.Cache().Table(r.table); t != nil {
		if m := t.Row(uuid); m != nil {
			_, n, ok := r.row(m)
			return n, ok
		}
	}
	return "", false
}
