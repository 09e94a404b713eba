package policy

import (
	"encoding/json"
	"fmt"
)

// LoggingAnnotation on an ANP, the BANP, or a namespace (for its NetworkPolicies) asks for ACL logging,
// e.g. {"allow":"notice","deny":"alert","pass":"warning"}; the same key OVN-Kubernetes reads.
const LoggingAnnotation = "k8s.ovn.org/acl-logging"

var severities = map[string]bool{"alert": true, "warning": true, "notice": true, "info": true, "debug": true}

// ParseLogging parses the annotation's value. An empty value means no logging.
func ParseLogging(value string) (Logging, error) {
	if value == "" {
		return Logging{}, nil
	}
	var raw map[string]string
	if err := json.Unmarshal([]byte(value), &raw); err != nil {
		return Logging{}, fmt.Errorf("%s is not a JSON object of strings: %v", LoggingAnnotation, err)
	}
	var l Logging
	for k, v := range raw {
		if !severities[v] {
			return Logging{}, fmt.Errorf("%s: %q is not a severity (alert, warning, notice, info, debug)", LoggingAnnotation, v)
		}
		switch k {
		case "allow":
			l.Allow = v
		case "deny":
			l.Deny = v
		case "pass":
			l.Pass = v
		default:
			return Logging{}, fmt.Errorf("%s: unknown key %q (allow, deny, pass)", LoggingAnnotation, k)
		}
	}
	return l, nil
}

// loggingFromAnnotations reads the logging annotation; a bad one is reported and the policy is still
// programmed, without logging.
func loggingFromAnnotations(p *Policy, annotations map[string]string) Logging {
	l, err := ParseLogging(annotations[LoggingAnnotation])
	if err != nil {
		p.Problems = append(p.Problems, Problem{SeverityWarning, ReasonInvalidLogging, err.Error() + "; logging is off"})
	}
	return l
}

// For returns the severity for an action, empty when it is not logged.
func (l Logging) For(a Action) string {
	switch a {
	case ActionAllow:
		return l.Allow
	case ActionDeny:
		return l.Deny
	case ActionPass:
		return l.Pass
	}
	return ""
}
