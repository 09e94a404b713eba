package vnode

import (
	"fmt"
	"net/netip"
	"sync"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	corev1 "k8s.io/api/core/v1"
)

// ipam hands out a node's pod addresses from its pod CIDR: the first host addresses are skipped
// (.0 is the network, .1 a gateway by custom), and the node's own address is never given.
type ipam struct {
	mu     sync.Mutex
	prefix netip.Prefix
	used   map[netip.Addr]string // address -> pod key
	skip   netip.Addr
}

func newIPAM(prefix netip.Prefix, nodeIP netip.Addr) *ipam {
	return &ipam{prefix: prefix.Masked(), used: map[netip.Addr]string{}, skip: nodeIP}
}

// assign returns the pod's address: the one it already has in status when it is free (a restarted
// agent keeps its pods' addresses), else the lowest free one.
func (m *ipam) assign(pod *corev1.Pod) (netip.Addr, error) {
	key := pod.Namespace + "/" + pod.Name
	m.mu.Lock()
	defer m.mu.Unlock()
	for ip, owner := range m.used {
		if owner == key {
			return ip, nil
		}
	}
	for _, ip := range cluster.PodIPs(pod) {
		if m.prefix.Contains(ip) && m.used[ip] == "" && ip != m.skip {
			m.used[ip] = key
			return ip, nil
		}
	}
	ip := m.prefix.Addr().Next().Next()
	for ; m.prefix.Contains(ip); ip = ip.Next() {
		if m.used[ip] == "" && ip != m.skip {
			m.used[ip] = key
			return ip, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("pod CIDR %s is used up", m.prefix)
}

func (m *ipam) release(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for ip, owner := range m.used {
		if owner == key {
			delete(m.used, ip)
		}
	}
}
