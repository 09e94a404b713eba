// Package transient proves, with real packets, that a policy change written to NB in one transaction
// opens no window in the datapath: a denied flow is tried every few milliseconds while the rows move
// between two translations that both deny it, and not one connection may get through. A change split
// over two transactions must be seen to leak, so the probe is known to see such a window. See
// docs/testing.md.
package transient
