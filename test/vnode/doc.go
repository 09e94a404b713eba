// Package vnode is a virtual node: a process that acts, for the Kubernetes API, as one node's kubelet and
// CNI on an OVN test bed (go-controller/pkg/ovnsandbox). It registers its Node and keeps its Lease and Ready condition,
// runs the pods bound to it as network namespaces on veths bound to their OVN logical ports, runs their
// containers' commands for real (the agnhost binary stands in for the agnhost image), writes their status
// as a kubelet does, serves the kubelet API's exec and log endpoints, and tears pods down when they are
// deleted. See docs/e2e.md, "Virtual nodes".
package vnode
