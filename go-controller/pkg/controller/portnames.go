package controller

import (
	"sync"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/model"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

// portNames maps the UUIDs of NB's logical switch ports to their names, kept up to date from the cache's
// events. The drift check of a port group reads the name of every port it lists after each of tieracl's
// own writes of it; the cache's Row copies the whole row for that, which was a sixth of the controller's
// CPU in a steady pod stream.
type portNames struct {
	mu    sync.RWMutex
	names map[string]string
}

// indexPorts registers the index's event handler, then fills it from the cache under its lock, so an
// event handled after the fill is newer than the copy the fill read.
func (c *Controller) indexPorts() {
	p := &portNames{names: map[string]string{}}
	set := func(table string, m model.Model, present bool) {
		lsp, ok := m.(*nbdb.LogicalSwitchPort)
		if !ok || table != nbdb.LogicalSwitchPortTable {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if present {
			p.names[lsp.UUID] = lsp.Name
		} else {
			delete(p.names, lsp.UUID)
		}
	}
	c.cfg.NB.Cache().AddEventHandler(&cache.EventHandlerFuncs{
		AddFunc:    func(table string, m model.Model) { set(table, m, true) },
		DeleteFunc: func(table string, m model.Model) { set(table, m, false) },
		UpdateFunc: func(table string, _, now model.Model) { set(table, now, true) },
	})
	p.mu.Lock()
	if t := c.cfg.NB.Cache().Table(nbdb.LogicalSwitchPortTable); t != nil {
		for uuid, m := range t.RowsShallow() {
			p.names[uuid] = m.(*nbdb.LogicalSwitchPort).Name
		}
	}
	p.mu.Unlock()
	c.ports = p
}

// portNameOf returns the name of the port with this UUID. The index hears of a port after the cache
// holds it, so a port the index does not know yet is looked up in the cache itself.
func (c *Controller) portNameOf(uuid string) (string, bool) {
	if c.ports != nil {
		c.ports.mu.RLock()
		name, ok := c.ports.names[uuid]
		c.ports.mu.RUnlock()
		if ok {
			return name, true
		}
	}
	if t := c.cfg.NB.Cache().Table(nbdb.LogicalSwitchPortTable); t != nil {
		if m := t.Row(uuid); m != nil {
			return m.(*nbdb.LogicalSwitchPort).Name, true
		}
	}
	return "", false
}
