package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"
	anpv1alpha1 "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	cnpv1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/tieracl/tieracl/go-controller/pkg/policy"
)

// statusWriter sets the Programmed condition of ClusterNetworkPolicies, ANPs and the BANP (one condition
// per policy) and emits Warning events for problems.
// It skips writes that would change nothing, and emits a policy's events again only when its problems
// change, so a resync does not flood the API server.
type statusWriter struct {
	cfg       Config
	informers *informerSet
	recorder  record.EventRecorder
	reported  map[policy.Owner]string // problems last reported as events, by policy
	// lastReport is the zone report as last written, in zone mode, where the zone's report takes the
	// place of conditions and events (the folder writes those); nil before the first write.
	lastReport map[string]string
	// verifyReport asks the next report write to compare with the report in the API, not lastReport.
	verifyReport bool
}

// Component is the event source and the field manager tieracl uses.
const Component = "tieracl-controller"

func newStatusWriter(cfg Config, inf *informerSet) *statusWriter {
	rec := cfg.Recorder
	if rec == nil {
		scheme := runtime.NewScheme()
		_ = clientgoscheme.AddToScheme(scheme)
		_ = anpv1alpha1.Install(scheme)
		_ = cnpv1beta1.Install(scheme)
		b := record.NewBroadcaster()
		b.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: cfg.Kube.CoreV1().Events("")})
		rec = b.NewRecorder(scheme, corev1.EventSource{Component: Component})
	}
	return &statusWriter{cfg: cfg, informers: inf, recorder: rec, reported: map[policy.Owner]string{}}
}

// update writes conditions and events for every compiled policy, a gap counting as a problem; in zone
// mode it writes the zone's report instead. Errors are logged and counted: a status write that fails is
// tried again at the next batch: update returns false then.
func (s *statusWriter) update(ctx context.Context, policies []*policy.Policy,
	gapOf func(policy.Owner) (gap, bool)) (done bool) {
	done = true
	seen := map[policy.Owner]bool{}
	byReason := map[string]int{}
	defer func() { s.cfg.Metrics.setPolicies(byReason) }()
	if s.cfg.Zone != "" {
		for _, p := range policies {
			byReason[programmedCondition(withGap(p, gapOf), 0).Reason]++
		}
		if err := s.writeReport(ctx, s.zoneReport(policies, gapOf)); err != nil {
			s.cfg.Metrics.Errors.WithLabelValues("status").Inc()
			klog.ErrorS(err, "zone report update failed")
			return false
		}
		return true
	}
	for _, p := range policies {
		seen[p.Owner] = true
		p = withGap(p, gapOf)
		byReason[programmedCondition(p, 0).Reason]++
		obj := s.object(p.Owner)
		if obj == nil {
			continue // deleted since the translation
		}
		s.events(ctx, p, obj)
		if err := s.writeStatus(ctx, p, obj); err != nil {
			done = false
			if apierrors.IsConflict(err) {
				continue // the object changed meanwhile; its event brings the next batch, which retries
			}
			s.cfg.Metrics.Errors.WithLabelValues("status").Inc()
			klog.ErrorS(err, "status update failed", "policy", p.Owner.String())
		}
	}
	for o := range s.reported {
		if !seen[o] {
			delete(s.reported, o)
		}
	}
	return done
}

// withGap is the policy with its gap, if it has one, as one more problem.
func withGap(p *policy.Policy, gapOf func(policy.Owner) (gap, bool)) *policy.Policy {
	g, ok := gapOf(p.Owner)
	if !ok {
		return p
	}
	out := *p
	out.Problems = append(slices.Clip(p.Problems), g.problem())
	return &out
}

// object is the policy's API object from the informer cache, or nil.
func (s *statusWriter) object(o policy.Owner) runtime.Object {
	k := Key{Namespace: o.Namespace, Name: o.Name}
	var obj runtime.Object
	var ok bool
	switch o.Kind {
	case policy.KindANP:
		obj, ok = get[*anpv1alpha1.AdminNetworkPolicy](s.informers.anps, k)
	case policy.KindBANP:
		obj, ok = get[*anpv1alpha1.BaselineAdminNetworkPolicy](s.informers.banps, k)
	case policy.KindCNP:
		obj, ok = get[*cnpv1beta1.ClusterNetworkPolicy](s.informers.cnps, k)
	case policy.KindNetworkPolicy:
		obj, ok = get[*networkingv1.NetworkPolicy](s.informers.netpols, k)
	}
	if !ok {
		return nil
	}
	return obj
}

// events logs and emits one Warning event per problem when the policy's problems changed since last
// reported. The first time in this process it skips the events an earlier run already recorded.
func (s *statusWriter) events(ctx context.Context, p *policy.Policy, obj runtime.Object) {
	var all []string
	for _, pr := range p.Problems {
		all = append(all, pr.String())
	}
	summary := strings.Join(all, "\n")
	last, known := s.reported[p.Owner]
	if known && last == summary {
		return
	}
	s.reported[p.Owner] = summary
	for _, pr := range p.Problems {
		klog.InfoS("policy problem", "policy", p.Owner.String(), "severity", pr.Severity, "reason", pr.Reason,
			"message", pr.Message)
		if !known && s.alreadyRecorded(ctx, obj, pr) {
			continue
		}
		s.recorder.Event(obj, corev1.EventTypeWarning, pr.Reason, pr.Message)
	}
}

// writeStatus sets the Programmed condition when it differs from what the object holds.
func (s *statusWriter) writeStatus(ctx context.Context, p *policy.Policy, obj runtime.Object) error {
	m, err := meta.Accessor(obj)
	if err != nil {
		return err
	}
	if err := s.writeCondition(ctx, obj, programmedCondition(p, m.GetGeneration())); err != nil {
		return fmt.Errorf("update status of %s: %w", p.Owner, err)
	}
	return nil
}

// writeCondition sets the object's Programmed condition to want unless it already holds it.
func (s *statusWriter) writeCondition(ctx context.Context, obj runtime.Object, want metav1.Condition) error {
	var wrote bool
	var err error
	switch o := obj.(type) {
	case *anpv1alpha1.AdminNetworkPolicy:
		wrote, err = setCondition(ctx, o, want,
			func(o *anpv1alpha1.AdminNetworkPolicy) *[]metav1.Condition { return &o.Status.Conditions },
			s.cfg.Policy.PolicyV1alpha1().AdminNetworkPolicies().UpdateStatus)
	case *anpv1alpha1.BaselineAdminNetworkPolicy:
		wrote, err = setCondition(ctx, o, want,
			func(o *anpv1alpha1.BaselineAdminNetworkPolicy) *[]metav1.Condition { return &o.Status.Conditions },
			s.cfg.Policy.PolicyV1alpha1().BaselineAdminNetworkPolicies().UpdateStatus)
	case *cnpv1beta1.ClusterNetworkPolicy:
		wrote, err = setCondition(ctx, o, want,
			func(o *cnpv1beta1.ClusterNetworkPolicy) *[]metav1.Condition { return &o.Status.Conditions },
			s.cfg.Policy.PolicyV1beta1().ClusterNetworkPolicies().UpdateStatus)
	default:
		return nil // NetworkPolicy has no status tieracl may set
	}
	if !wrote && err == nil {
		return nil // the object already says it
	}
	if apierrors.IsNotFound(err) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	s.cfg.Metrics.StatusWrites.Inc()
	return nil
}

// setCondition writes want into a copy of the object's conditions and updates its status, unless the
// object already holds it; wrote says whether it tried.
func setCondition[T interface{ DeepCopy() T }](ctx context.Context, o T, want metav1.Condition,
	conditions func(T) *[]metav1.Condition, update func(context.Context, T, metav1.UpdateOptions) (T, error),
) (wrote bool, err error) {
	if sameCondition(*conditions(o), want) {
		return false, nil
	}
	o = o.DeepCopy()
	meta.SetStatusCondition(conditions(o), want)
	_, err = update(ctx, o, metav1.UpdateOptions{FieldManager: Component})
	return true, err
}

// alreadyRecorded reports whether the API holds a tieracl event of this problem on this object, as a
// previous run of the controller leaves them; a restart then does not record them again.
func (s *statusWriter) alreadyRecorded(ctx context.Context, obj runtime.Object, pr policy.Problem) bool {
	m, err := meta.Accessor(obj)
	if err != nil || m.GetUID() == "" {
		return false
	}
	ns := m.GetNamespace()
	if ns == "" {
		ns = metav1.NamespaceDefault // where events of cluster-scoped objects go
	}
	list, err := s.cfg.Kube.CoreV1().Events(ns).List(ctx, metav1.ListOptions{
		FieldSelector: fields.AndSelectors(fields.OneTermEqualSelector("involvedObject.uid", string(m.GetUID())),
			fields.OneTermEqualSelector("reason", pr.Reason)).String()})
	if err != nil {
		return false // better twice than never
	}
	for _, ev := range list.Items {
		if ev.InvolvedObject.UID == m.GetUID() && ev.Reason == pr.Reason && ev.Message == pr.Message &&
			ev.Source.Component == Component {
			return true
		}
	}
	return false
}
