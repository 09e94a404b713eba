// Package testobj builds the Kubernetes objects tests feed tieracl, in one style: a constructor with
// the fields every object needs, then tweaks that change it, e.g.
//
//	testobj.Pod("a", "web", testobj.Labels("app", "web"), testobj.IP("10.0.0.5"))
//	testobj.ANP("deny-b", 10, testobj.SubjectNamespaces(testobj.Sel("team", "a")),
//		testobj.ANPIngress(anpv1alpha1.AdminNetworkPolicyRuleActionDeny, testobj.FromNamespaces(testobj.Sel("team", "b"))))
//
// Copy makes the new version of an object a test updates, e.g. testobj.Copy(web, testobj.Relabel("app", "db")).
//
// It is test support, not product code: only _test.go files import it. It lives in go-controller/pkg so
// that the product packages' tests can use it without depending on test/, and test/ can use it too.
package testobj
