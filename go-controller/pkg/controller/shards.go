package controller

import (
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// nbShardCounts reads the shard counts of the owned sets NB holds in shards, from the cache (which has
// the address sets' external IDs). The first translation starts from them, so that a restart on an
// unchanged NB keeps a set near a shard boundary in the rows it has and writes nothing.
func (c *Controller) nbShardCounts() map[string]int {
	t := c.cfg.NB.Cache().Table(nbdb.AddressSetTable)
	if t == nil {
		return nil
	}
	return translate.ShardCounts(func(yield func(string, map[string]string) bool) {
		for _, m := range t.Rows() {
			if as, ok := m.(*nbdb.AddressSet); ok && as.ExternalIDs[nbrows.KeyManagedBy] == nbrows.ManagedByValue &&
				!yield(as.Name, as.ExternalIDs) {
				return
			}
		}
	})
}
