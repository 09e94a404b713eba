package translate

import (
	"math/bits"
	"net/netip"
	"slices"
	"strings"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
)

// addrTable numbers every pod and node address of a snapshot in the order of its text. An address set
// is then its members' numbers, sorted and read back as text: each address is printed once per
// translation, not once per set that holds it, and sets are sorted as integers, not as strings.
type addrTable struct {
	text []string // by number, in sort.Strings order
	v4   []bool   // by number: an IPv4 address
	num  map[netip.Addr]int32
	// podNums[podStart[o]:podStart[o+1]] are the numbers of the IPs of the pod whose Ord is o.
	podStart []int32
	podNums  []int32
	bits     []uint64 // scratch for members: one bit per number
}

func newAddrTable(ix *cluster.Index) *addrTable {
	t := &addrTable{num: map[netip.Addr]int32{}}
	var addrs []netip.Addr
	add := func(ips []netip.Addr) {
		for _, ip := range ips {
			if _, ok := t.num[ip]; !ok {
				t.num[ip] = 0
				addrs = append(addrs, ip)
			}
		}
	}
	for _, p := range ix.Pods() {
		add(p.IPs)
	}
	for _, n := range ix.Nodes() {
		add(n.IPs)
	}
	type entry struct {
		text string
		addr netip.Addr
	}
	entries := make([]entry, len(addrs))
	for i, a := range addrs {
		entries[i] = entry{a.String(), a}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.text, b.text) })
	t.text, t.v4 = make([]string, len(entries)), make([]bool, len(entries))
	for i, e := range entries {
		t.text[i], t.v4[i], t.num[e.addr] = e.text, e.addr.Is4(), int32(i)
	}
	pods := ix.Pods()
	t.podStart = make([]int32, len(pods)+1)
	for i, p := range pods {
		for _, ip := range p.IPs {
			t.podNums = append(t.podNums, t.num[ip])
		}
		t.podStart[i+1] = int32(len(t.podNums))
	}
	t.bits = make([]uint64, (len(entries)+63)/64)
	return t
}

// appendPods appends the numbers of the IPs of the pods at these Ords of the table's Index.
func (t *addrTable) appendPods(nums []int32, ords ...int32) []int32 {
	for _, o := range ords {
		nums = append(nums, t.podNums[t.podStart[o]:t.podStart[o+1]]...)
	}
	return nums
}

// appendAddrs appends the numbers of addresses of the snapshot (node IPs).
func (t *addrTable) appendAddrs(nums []int32, ips []netip.Addr) []int32 {
	for _, ip := range ips {
		nums = append(nums, t.num[ip])
	}
	return nums
}

// families returns the distinct addresses of nums as sorted text, IPv4 and IPv6 apart. nums is reordered.
func (t *addrTable) families(nums []int32) (v4, v6 []string) {
	fours := 0
	for _, n := range nums {
		if t.v4[n] {
			fours++
		}
	}
	v4, v6 = make([]string, 0, fours), make([]string, 0, len(nums)-fours)
	emit := func(n int32) {
		if t.v4[n] {
			v4 = append(v4, t.text[n])
		} else {
			v6 = append(v6, t.text[n])
		}
	}
	// A sort costs about log2(len) per member, a pass over the bits one word per 64 numbers.
	if len(nums)*16 < len(t.text) {
		slices.Sort(nums)
		for _, n := range slices.Compact(nums) {
			emit(n)
		}
		return v4, v6
	}
	for _, n := range nums {
		t.bits[n/64] |= 1 << (n % 64)
	}
	for w, word := range t.bits {
		for ; word != 0; word &= word - 1 {
			emit(int32(w*64 + bits.TrailingZeros64(word)))
		}
		t.bits[w] = 0
	}
	return v4, v6
}
