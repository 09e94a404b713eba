// Package examples holds runnable AdminNetworkPolicy and BaselineAdminNetworkPolicy examples taken from
// the project's seed documents (the API user stories, a blog post on the admin-networkpolicies Helm chart,
// and the OKD documentation). Each folder has the policies, a cluster to apply them to, and a policy test
// (test.yaml) whose probes check what the source text says the policies do. cnp/ restates them as
// ClusterNetworkPolicies, with the same probes. See README.md.
//
// The CLI ships them through FS; its default example is
//
//	Default = "01-okd-monitoring-precedence"
//
// because it exercises all three ANP actions at once: Deny at priority 5 beating Allow at 9, Pass at 7
// handing over to tenants' NetworkPolicies before the Allow is reached, in IPv4 and IPv6, with a
// host-network pod that no namespace peer matches.
package examples

import "embed"

// FS holds README.md and every example folder ("01-okd-monitoring-precedence/test.yaml", ...).
//
//go:embed README.md all:[0-9][0-9]-* all:cnp
var FS embed.FS

// Default is the folder of the example the CLI runs when none is named.
const Default = "01-okd-monitoring-precedence"
