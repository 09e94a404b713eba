package conformance

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// The report types follow sigs.k8s.io/network-policy-api conformance/apis/v1alpha1 of v0.1.7 and v0.3.0,
// field for field and with the same JSON names, so the YAML has the upstream report's shape. They are
// written out here because the v0.3.0 conformance module needs other versions of controller-runtime
// and Kubernetes than the project's; v0.1.7 and v0.3.0 differ only in the suite version's field name
// and in v0.3.0 having no "partial" result.

// Report is the report of one run of the suite, upstream's ConformanceReport kind.
type Report struct {
	metav1.TypeMeta `json:",inline"`
	Implementation  `json:"implementation"`
	// Date is when the report was generated, RFC 3339.
	Date string `json:"date"`
	// NetworkPolicyV2APIVersion (v0.1.7) or NetworkPolicyBundleVersion (v0.3.0) is the release of the
	// conformance suite the tests come from; a report has the one of its release.
	NetworkPolicyV2APIVersion  string          `json:"networkPolicyV2APIVersion,omitempty"`
	NetworkPolicyBundleVersion string          `json:"networkPolicyBundleVersion,omitempty"`
	ProfileReports             []ProfileReport `json:"profiles"`
}

// Implementation describes what was tested.
type Implementation struct {
	Organization          string   `json:"organization"`
	Project               string   `json:"project"`
	URL                   string   `json:"url"`
	Version               string   `json:"version"`
	Contact               []string `json:"contact"`
	AdditionalInformation string   `json:"additionalInformation"`
}

// ProfileReport is the result of one conformance profile.
type ProfileReport struct {
	Name         string              `json:"name"`
	Standard     Status              `json:"standard"`
	Experimental *ExperimentalStatus `json:"experimental,omitempty"`
}

// ExperimentalStatus is the result at the experimental level.
type ExperimentalStatus struct {
	Status              `json:",inline"`
	SupportedFeatures   []string `json:"supportedFeatures,omitempty"`
	UnsupportedFeatures []string `json:"unsupportedFeatures,omitempty"`
}

// Status is the result of one level of a profile.
type Status struct {
	Result       `json:"result"`
	Summary      string `json:"summary"`
	Statistics   `json:"statistics"`
	SkippedTests []string `json:"skippedTests,omitempty"`
	FailedTests  []string `json:"failedTests,omitempty"`
}

// Result summarizes a level: success, partial (some skipped; v0.1.7 only) or failure.
type Result string

// The results upstream defines.
const (
	Success Result = "success"
	Partial Result = "partial"
	Failure Result = "failure"
)

// Statistics counts tests; upstream's fields have no JSON tags, so their names are capitalised.
type Statistics struct {
	Passed  uint32 `json:"Passed"`
	Skipped uint32 `json:"Skipped"`
	Failed  uint32 `json:"Failed"`
}
