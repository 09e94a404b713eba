// Command tieracl renders the OVN ACLs that AdminNetworkPolicy, BaselineAdminNetworkPolicy and
// NetworkPolicy translate to, runs policy tests against them, and explains single flows.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
