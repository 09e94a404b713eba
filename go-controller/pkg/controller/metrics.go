package controller

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tieracl/tieracl/go-controller/pkg/nbrows"
	"github.com/tieracl/tieracl/go-controller/pkg/nbsync"
)

// Metrics are the controller's Prometheus metrics, all prefixed tieracl_.
type Metrics struct {
	Reconcile     *prometheus.HistogramVec // seconds from taking a batch to its commit, by mode (full, delta)
	Transaction   *prometheus.HistogramVec // seconds NB took to commit, by mode
	Operations    *prometheus.CounterVec   // NB operations written, by kind (create, update, delete, mutate)
	Rows          *prometheus.GaugeVec     // rows tieracl owns, by table and, for ACLs, tier
	QueueDepth    prometheus.Gauge         // changed objects waiting for the worker
	EventToCommit prometheus.Histogram     // seconds from an object's change reaching the controller to its NB commit
	Errors        *prometheus.CounterVec   // failures, by stage (nb-write, status)
	StatusWrites  prometheus.Counter       // policy status updates written
	NBConnected   prometheus.Gauge         // 1 while the NB connection is up
	InformerStale *prometheus.GaugeVec     // 1 while a kind has no open API watch, by kind
	// PodsWithoutPort counts the pods with IPs that a policy selects as its subject but whose logical
	// switch port NB lacks: the policy does not apply to them.
	PodsWithoutPort prometheus.Gauge
	DriftRepaired   *prometheus.CounterVec // rows tieracl owns that others changed in NB and it repaired, by table
	Leader          prometheus.Gauge       // 1 while this replica holds the Lease (or leader election is off)
	BuildInfo       *prometheus.GaugeVec   // 1, labeled with the version and Go version
	Policies        *prometheus.GaugeVec   // policies by the reason of their Programmed condition

	// PortsOfOtherZones counts, in zone mode, the selected pods with IPs whose port is in this NB while
	// their node is in another zone: the policy applies to the port here, but the pod's node disagrees.
	PortsOfOtherZones prometheus.Gauge
	ZoneNodes         prometheus.Gauge // in zone mode, the nodes in this controller's zone
	// ZonesLive and ZoneReportsPruned are the folder's (zone mode): zones whose Lease is renewed, and
	// reports of zones gone for good that it deleted.
	ZonesLive         prometheus.Gauge
	ZoneReportsPruned prometheus.Counter
}

// errorStages and driftTables are the label values counted from zero, so that a rate over them is defined
// before the first failure.
var (
	errorStages = []string{"nb-write", "status"}
	driftTables = []string{"ACL", "Port_Group", "Address_Set"}
)

// NewMetrics creates the metrics and registers them with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	buckets := prometheus.ExponentialBuckets(0.0005, 2, 18) // 0.5 ms to about 65 s
	m := &Metrics{
		Reconcile: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tieracl_reconcile_duration_seconds",
			Help: "Time from taking a batch of changes to its NB commit.", Buckets: buckets}, []string{"mode"}),
		Transaction: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "tieracl_nb_transaction_duration_seconds",
			Help: "Time NB took to commit one transaction.", Buckets: buckets}, []string{"mode"}),
		Operations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tieracl_nb_operations_total",
			Help: "NB operations written, by kind."}, []string{"kind"}),
		Rows: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tieracl_nb_rows",
			Help: "NB rows tieracl owns, by table and ACL tier."}, []string{"table", "tier"}),
		QueueDepth: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tieracl_queue_depth",
			Help: "Changed objects waiting for the worker."}),
		EventToCommit: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "tieracl_event_to_commit_seconds",
			Help: "Time from a change reaching the controller to its NB commit.", Buckets: buckets}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tieracl_errors_total",
			Help: "Failures, by stage."}, []string{"stage"}),
		StatusWrites: prometheus.NewCounter(prometheus.CounterOpts{Name: "tieracl_status_writes_total",
			Help: "Policy status updates written."}),
		NBConnected: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tieracl_nb_connected",
			Help: "1 while the NB connection is up."}),
		InformerStale: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tieracl_informer_stale",
			Help: "1 while the controller has no open API watch of a kind: its cache may be stale."}, []string{"kind"}),
		PodsWithoutPort: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tieracl_pods_without_port",
			Help: "Pods with IPs that a policy selects but whose logical switch port is not in NB: not enforced."}),
		PortsOfOtherZones: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tieracl_zone_ports_of_other_zones",
			Help: "Zone mode: selected pods whose port is in this NB although their node is in another zone."}),
		ZoneNodes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tieracl_zone_nodes",
			Help: "Zone mode: the nodes in this controller's zone (0 means no pod counts as this zone's)."}),
		DriftRepaired: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tieracl_drift_repaired_total",
			Help: "Rows tieracl owns that someone else changed in NB, repaired, by table."}, []string{"table"}),
		Leader: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tieracl_leader",
			Help: "1 while this replica holds the leader-election Lease and writes NB."}),
		BuildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tieracl_build_info",
			Help: "Always 1; the labels say which build runs."}, []string{"version", "goversion"}),
		Policies: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tieracl_policies",
			Help: "Policies by the reason of their Programmed condition (NetworkPolicies too, which have none)."},
			[]string{"reason"}),
		ZonesLive: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tieracl_zones_live",
			Help: "Zones whose leader renews its Lease, as the folder of zone reports sees them."}),
		ZoneReportsPruned: prometheus.NewCounter(prometheus.CounterOpts{Name: "tieracl_zone_reports_pruned_total",
			Help: "Zone reports the folder deleted because their zone's Lease expired."}),
	}
	for _, stage := range errorStages {
		m.Errors.WithLabelValues(stage)
	}
	for _, table := range driftTables {
		m.DriftRepaired.WithLabelValues(table)
	}
	if reg != nil {
		reg.MustRegister(m.Reconcile, m.Transaction, m.Operations, m.Rows, m.QueueDepth, m.EventToCommit, m.Errors,
			m.StatusWrites, m.NBConnected, m.InformerStale, m.PodsWithoutPort, m.DriftRepaired, m.Leader, m.BuildInfo,
			m.Policies, m.PortsOfOtherZones, m.ZoneNodes, m.ZonesLive, m.ZoneReportsPruned)
	}
	return m
}

func (m *Metrics) observeWrite(mode string, s nbsync.Stats, took, txn time.Duration) {
	m.Reconcile.WithLabelValues(mode).Observe(took.Seconds())
	if s.Ops > 0 {
		m.Transaction.WithLabelValues(mode).Observe(txn.Seconds())
	}
	m.Operations.WithLabelValues("create").Add(float64(s.Created))
	m.Operations.WithLabelValues("update").Add(float64(s.Updated))
	m.Operations.WithLabelValues("delete").Add(float64(s.Deleted))
	m.Operations.WithLabelValues("mutate").Add(float64(s.Mutations))
}

func (m *Metrics) setRows(s *nbrows.State) {
	byTier := map[string]int{}
	for _, a := range s.ACLs {
		byTier[tierLabel(a.Tier)]++
	}
	for tier, n := range byTier {
		m.Rows.WithLabelValues("ACL", tier).Set(float64(n))
	}
	m.Rows.WithLabelValues("Port_Group", "").Set(float64(len(s.PortGroups)))
	m.Rows.WithLabelValues("Address_Set", "").Set(float64(len(s.AddressSets)))
}

func tierLabel(t int) string {
	switch t {
	case 1:
		return "1-admin"
	case 2:
		return "2-networkpolicy"
	case 3:
		return "3-baseline"
	}
	return "other"
}

// SetBuild records the running build in tieracl_build_info.
func (m *Metrics) SetBuild(version, goVersion string) {
	m.BuildInfo.Reset()
	m.BuildInfo.WithLabelValues(version, goVersion).Set(1)
}

// setPolicies counts the policies by the reason of the condition they were given.
func (m *Metrics) setPolicies(byReason map[string]int) {
	m.Policies.Reset()
	for reason, n := range byReason {
		m.Policies.WithLabelValues(reason).Set(float64(n))
	}
}
