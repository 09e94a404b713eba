package translate

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
)

// TestAddrTableFamilies checks the sets built from numbered addresses against printing and sorting the
// addresses, for few members (sorted as numbers) and many (read from bits), with shared and dual-stack IPs.
func TestAddrTableFamilies(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	s := &cluster.Snapshot{}
	for i := 0; i < 300; i++ {
		ips := []string{fmt.Sprintf("10.%d.%d.%d", rng.Intn(3), rng.Intn(3), rng.Intn(40))} // some shared
		if rng.Intn(3) == 0 {
			ips = append(ips, fmt.Sprintf("fd00::%x", rng.Intn(500)))
		}
		s.Pods = append(s.Pods, testobj.Pod("ns", fmt.Sprintf("p%d", i), testobj.IP(ips...)))
	}
	ix := cluster.NewIndex(s, nil)
	table := newAddrTable(ix)
	for _, size := range []int{0, 1, 3, 20, 150, 300} {
		pods := slices.Clone(ix.Pods())
		rng.Shuffle(len(pods), func(i, j int) { pods[i], pods[j] = pods[j], pods[i] })
		var nums []int32
		var want4, want6 []string
		for _, p := range pods[:size] {
			nums = table.appendPods(nums, int32(p.Ord))
			for _, ip := range p.IPs {
				if ip.Is4() {
					want4 = append(want4, ip.String())
				} else {
					want6 = append(want6, ip.String())
				}
			}
		}
		for _, w := range []*[]string{&want4, &want6} {
			sort.Strings(*w)
			*w = append([]string{}, slices.Compact(*w)...)
		}
		got4, got6 := table.families(nums)
		if !slices.Equal(got4, want4) || !slices.Equal(got6, want6) {
			t.Errorf("%d pods: got %v and %v, want %v and %v", size, got4, got6, want4, want6)
		}
	}
}
