package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// A zone report is a ConfigMap in the controller's namespace, one per zone, that the zone's leader
// writes instead of the policies' conditions and events: data key "<Kind>.<name>" per
// ClusterNetworkPolicy, ANP and BANP, and per NetworkPolicy with problems (it has no status, but its
// problems need events), its value the policyReport as JSON. A ConfigMap needs no CRD of tieracl's own, kubectl shows
// it as it is, and RBAC can grant it in one namespace only.
const (
	// LabelZoneReport marks the zone reports, so the folder watches only them.
	LabelZoneReport = "tieracl.io/zone-report"
	// AnnotationZone holds the report's zone; a zone name need not fit in a label value.
	AnnotationZone = "tieracl.io/zone"
	// zoneReportPrefix starts every report's name; the zone's name follows.
	zoneReportPrefix = "tieracl-zone-"
	// maxReportMessage bounds each policy's message in a report, so that a report of a thousand
	// policies stays far below a ConfigMap's 1 MiB.
	maxReportMessage = 1024
)

// ZoneReportName is the name of a zone's report.
func ZoneReportName(zone string) string { return zoneReportPrefix + zone }

// reportKey is the data key of a policy in a zone report: "<Kind>.<name>", and for a NetworkPolicy
// "NetworkPolicy.<namespace>.<name>" (a namespace has no dots).
func reportKey(o policy.Owner) string {
	if o.Namespace != "" {
		return string(o.Kind) + "." + o.Namespace + "." + o.Name
	}
	return string(o.Kind) + "." + o.Name
}

// parseReportKey is the policy of a report's data key.
func parseReportKey(key string) (policy.Owner, bool) {
	kind, name, ok := strings.Cut(key, ".")
	o := policy.Owner{Kind: policy.Kind(kind), Name: name}
	switch o.Kind {
	case policy.KindANP, policy.KindBANP, policy.KindCNP:
	case policy.KindNetworkPolicy:
		o.Namespace, o.Name, ok = strings.Cut(name, ".")
	default:
		return o, false
	}
	return o, ok && o.Name != ""
}

// zoneReport builds the zone's report data: for every compiled policy with a status, its condition in
// this zone alone, gaps counted as problems.
func (s *statusWriter) zoneReport(policies []*policy.Policy, gapOf func(policy.Owner) (gap, bool)) map[string]string {
	data := map[string]string{}
	for _, p := range policies {
		obj := s.object(p.Owner)
		if obj == nil {
			continue // deleted since the translation
		}
		m, err := meta.Accessor(obj)
		if err != nil {
			continue
		}
		cond := programmedCondition(withGap(p, gapOf), m.GetGeneration())
		if p.Owner.Kind == policy.KindNetworkPolicy && cond.Reason == ReasonProgrammed {
			continue // no status to fold; listed only for the events of its problems
		}
		msg := cond.Message
		if len(msg) > maxReportMessage {
			msg = msg[:maxReportMessage-3] + "..."
		}
		raw, err := json.Marshal(policyReport{Generation: cond.ObservedGeneration, Status: cond.Status,
			Reason: cond.Reason, Message: msg})
		if err != nil {
			continue // a struct of strings and an int always marshals
		}
		data[reportKey(p.Owner)] = string(raw)
	}
	return data
}

// writeReport writes the zone's report unless it already holds data as this writer last wrote it, or,
// after a resync (verifyReport), as the API holds it: so a new leader whose predecessor wrote the same
// report writes nothing, and a report someone deleted is written again within a resync interval. The
// folder prunes a report only after the zone's Lease expired, when no leader of the zone remembers it.
func (s *statusWriter) writeReport(ctx context.Context, data map[string]string) error {
	client := s.cfg.Kube.CoreV1().ConfigMaps(s.cfg.ReportNamespace)
	if s.verifyReport {
		s.lastReport = nil
		have, err := client.Get(ctx, ZoneReportName(s.cfg.Zone), metav1.GetOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("read zone report: %w", err)
		}
		if err == nil && have.Labels[LabelZoneReport] == "true" && have.Annotations[AnnotationZone] == s.cfg.Zone {
			s.lastReport = have.Data
		}
		s.verifyReport = false
	}
	if s.lastReport != nil && maps.Equal(s.lastReport, data) {
		return nil
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: ZoneReportName(s.cfg.Zone),
		Namespace: s.cfg.ReportNamespace, Labels: map[string]string{LabelZoneReport: "true",
			"app.kubernetes.io/name": "tieracl"}, Annotations: map[string]string{AnnotationZone: s.cfg.Zone}},
		Data: data}
	opts := metav1.UpdateOptions{FieldManager: Component}
	_, err := client.Update(ctx, cm, opts) // no resourceVersion: this zone's leader is its only writer
	if apierrors.IsNotFound(err) {
		_, err = client.Create(ctx, cm, metav1.CreateOptions{FieldManager: Component})
	}
	if err != nil {
		return fmt.Errorf("write zone report %s/%s: %w", cm.Namespace, cm.Name, err)
	}
	s.lastReport = data
	s.cfg.Metrics.StatusWrites.Inc()
	klog.V(2).InfoS("zone report written", "zone", s.cfg.Zone, "policies", len(data))
	return nil
}

// decodeReport reads a report's views of its policies; entries it cannot read are left out, so the
// policy counts as not reported by that zone (Pending) rather than as programmed.
func decodeReport(cm *corev1.ConfigMap) map[string]*policyReport {
	out := map[string]*policyReport{}
	for key, raw := range cm.Data {
		if _, ok := parseReportKey(key); !ok {
			continue
		}
		var r policyReport
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			klog.InfoS("unreadable zone report entry", "report", cm.Name, "key", key, "err", err)
			continue
		}
		out[key] = &r
	}
	return out
}
