package bench

import (
	"math"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// metricsSnapshot is the controller's metrics at one moment, read through their registry.
type metricsSnapshot struct {
	counters map[string]float64 // name{label=value,...} -> value, of counters and gauges
	counts   map[string]uint64  // histogram name{labels} -> samples
	sums     map[string]float64 // histogram name{labels} -> sum of samples
	buckets  map[string][]bucket
}

type bucket struct {
	upper float64 // seconds
	count uint64  // cumulative
}

func readMetrics(reg *prometheus.Registry) metricsSnapshot {
	s := metricsSnapshot{counters: map[string]float64{}, counts: map[string]uint64{}, sums: map[string]float64{},
		buckets: map[string][]bucket{}}
	mfs, err := reg.Gather()
	if err != nil {
		return s
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			if c := m.GetCounter(); c != nil {
				s.counters[key] = c.GetValue()
			}
			if g := m.GetGauge(); g != nil { // gauges are read with sum, as counters are
				s.counters[key] = g.GetValue()
			}
			if h := m.GetHistogram(); h != nil {
				s.counts[key] = h.GetSampleCount()
				s.sums[key] = h.GetSampleSum()
				for _, b := range h.GetBucket() {
					s.buckets[key] = append(s.buckets[key], bucket{b.GetUpperBound(), b.GetCumulativeCount()})
				}
			}
		}
	}
	return s
}

// sum adds every counter of one name, whatever its labels.
func (s metricsSnapshot) sum(name string) float64 {
	total := 0.0
	for k, v := range s.counters {
		if strings.HasPrefix(k, name+"{") {
			total += v
		}
	}
	return total
}

// samples adds the sample counts of every histogram of one name whose labels contain match.
func (s metricsSnapshot) samples(name, match string) uint64 {
	var total uint64
	for k, v := range s.counts {
		if strings.HasPrefix(k, name+"{") && strings.Contains(k, match) {
			total += v
		}
	}
	return total
}

// meanSince is the mean of the samples of the histograms of one name whose labels contain match,
// taken between before and s; 0 without samples.
func (s metricsSnapshot) meanSince(before metricsSnapshot, name, match string) float64 {
	n := s.samples(name, match) - before.samples(name, match)
	if n == 0 {
		return 0
	}
	sum := 0.0
	for k, v := range s.sums {
		if strings.HasPrefix(k, name+"{") && strings.Contains(k, match) {
			sum += v - before.sums[k]
		}
	}
	return sum / float64(n)
}

// Controller metric names.
const (
	metricOps         = "tieracl_nb_operations_total"
	metricUnconfirmed = "tieracl_nb_operations_unconfirmed_total"
	metricTransaction = "tieracl_nb_transaction_duration_seconds"
	metricReconcile   = "tieracl_reconcile_duration_seconds"
	metricEventCommit = "tieracl_event_to_commit_seconds"
)

// quantileBound returns the upper bound of the histogram bucket holding quantile q of the samples
// taken between before and after (+Inf when it is past the last bucket, 0 with no samples).
func quantileBound(before, after metricsSnapshot, name string, q float64) float64 {
	key := name + "{}"
	a, b := after.buckets[key], before.buckets[key]
	total := after.counts[key] - before.counts[key]
	if total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(total)))
	for i, bk := range a {
		n := bk.count
		if i < len(b) {
			n -= b[i].count
		}
		if n >= rank {
			return bk.upper
		}
	}
	return math.Inf(1)
}

// percentile returns quantile q of sorted durations in seconds (nearest rank).
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func sortedCopy(xs []float64) []float64 {
	out := append([]float64(nil), xs...)
	sort.Float64s(out)
	return out
}
