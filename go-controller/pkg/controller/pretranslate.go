package controller

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// pretranslate loads the listed cluster into the tracker and translates it while NB's first monitor
// dump is still arriving: on a large NB the dump takes about as long as the list, and the translation
// need not wait for it. The keys applied wait in held for the first write, so they are timed and their
// ports checked as any batch's. A pod that has no IPs yet stays queued, as its logical port may be the
// only source of them (withPortIPs), and so does everything when sets are sharded: the first
// translation starts from NB's shard counts.
func (c *Controller) pretranslate(ctx context.Context) {
	if c.cfg.SetShardBound > 0 {
		return
	}
	batch := c.queue.take(0)
	later := map[Key]time.Time{}
	for k, seen := range batch {
		if c.needsNB(k) {
			later[k] = seen
			delete(batch, k)
			continue
		}
		c.apply(ctx, k)
	}
	c.queue.requeue(later)
	c.held = batch
	c.translate()
}

// needsNB says whether applying k reads NB: a pod without IPs reads its logical port's.
func (c *Controller) needsNB(k Key) bool {
	if k.Kind != KindPod {
		return false
	}
	p, ok := get[*corev1.Pod](c.informers.pods, k)
	return ok && !p.Spec.HostNetwork && len(cluster.PodIPs(p)) == 0
}
