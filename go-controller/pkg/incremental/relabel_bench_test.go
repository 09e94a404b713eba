package incremental

import (
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/synth"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// BenchmarkPodRelabel is the tracker's work for one pod event of the bench's streams on W1: a pod's
// app label changes, and the member moves are taken as a delta; with every set one row, with the
// suggested shard bound, and with the bound 128 that splits W1's sets into up to 256 shards.
//
//	go test -run xxx -bench PodRelabel ./go-controller/pkg/incremental
func BenchmarkPodRelabel(b *testing.B) {
	snap, err := synth.W1.Generate()
	if err != nil {
		b.Fatal(err)
	}
	for _, bm := range []struct {
		name  string
		bound int
	}{{"whole", 0}, {"shards", translate.SuggestedSetShardBound}, {"shards128", 128}} {
		b.Run(bm.name, func(b *testing.B) {
			tr := load(snap, translate.Options{SetShardBound: bm.bound})
			tr.Translate()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := snap.Pods[i%len(snap.Pods)].DeepCopy()
				p.Labels["app"] = synth.LargeApps[(i/len(snap.Pods)+1+i)%len(synth.LargeApps)]
				tr.SetPod(p)
				tr.TakeDelta()
				i++
			}
			if tr.Stale() {
				b.Fatal("a relabel made the tracker stale")
			}
		})
	}
}
