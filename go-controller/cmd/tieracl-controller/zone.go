package main

// zoneLease is the Lease name of a zone's instances: the zone's name added to --leader-election-id, so
// that the instances of one zone elect one writer while every zone has its own.
func zoneLease(lease, zone string) string { return lease + "-" + zone }
