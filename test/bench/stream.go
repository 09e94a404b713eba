package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	clienttesting "k8s.io/client-go/testing"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// mover chooses pod label changes that move pods in and out of the IPv4 pod address sets of a
// translation, and says which sets each change must touch. It assumes each pod's IPv4 address is its
// own, which holds for the bench's workloads (it checks).
type mover struct {
	sets     []string // IPv4 pod-selector address sets
	sels     map[string]*translate.Selection
	nsLabels map[string]labels.Set
	values   map[string][]string // pod label key a selector reads -> the values selectors name
	keys     []string
	memo     map[string][]string // namespace and labels -> sets that select such a pod
	rng      *rand.Rand
	pods     []*benchPod
}

// benchPod is one pod the stream moves: its name, IPv4 address and labels as last committed.
type benchPod struct {
	namespace, name, ip string
	labels              map[string]string
}

func newMover(snap *cluster.Snapshot, r *translate.Result, seed int64) (*mover, error) {
	m := &mover{sels: map[string]*translate.Selection{}, nsLabels: map[string]labels.Set{}, values: map[string][]string{},
		memo: map[string][]string{}, rng: rand.New(rand.NewSource(seed))}
	values := map[string]map[string]bool{}
	for name, sel := range r.Selections {
		if sel.Kind != translate.SelectPods && sel.Kind != translate.SelectSubject {
			continue
		}
		reqs, _ := sel.PodSelector.Requirements()
		for _, req := range reqs {
			if values[req.Key()] == nil {
				values[req.Key()] = map[string]bool{}
			}
			for v := range req.Values() {
				values[req.Key()][v] = true
			}
		}
		// The NB monitor names a shard's changes by its set (setMonitor), so the mover deals in sets.
		if sel.Kind == translate.SelectPods && sel.Family == "ipv4" && sel.Shard == 0 {
			if sel.Shards > 1 {
				name = sel.Set
			}
			m.sets = append(m.sets, name)
			m.sels[name] = sel
		}
	}
	sort.Strings(m.sets)
	for k, vs := range values {
		m.values[k] = slices.Sorted(maps.Keys(vs))
		m.keys = append(m.keys, k)
	}
	sort.Strings(m.keys)
	for _, ns := range snap.Namespaces {
		m.nsLabels[ns.Name] = labels.Set(ns.Labels)
	}
	owners := map[string]int{}
	for _, p := range snap.Pods {
		for _, ip := range cluster.PodIPs(p) {
			owners[ip.String()]++
		}
	}
	for _, p := range snap.Pods {
		cp := &cluster.Pod{Pod: p}
		if !cp.Selectable() {
			continue
		}
		for _, ip := range cluster.PodIPs(p) {
			if ip.Is4() && owners[ip.String()] == 1 {
				m.pods = append(m.pods, &benchPod{namespace: p.Namespace, name: p.Name, ip: ip.String(), labels: p.Labels})
				break
			}
		}
	}
	if len(m.sets) == 0 || len(m.keys) == 0 || len(m.pods) == 0 {
		return nil, fmt.Errorf("the workload has no pod selectors to move pods across (%d IPv4 pod sets, %d label keys, %d "+
			"pods with an IPv4 address of their own); zero stream durations skip the streams",
			len(m.sets), len(m.keys), len(m.pods))
	}
	m.rng.Shuffle(len(m.pods), func(i, j int) { m.pods[i], m.pods[j] = m.pods[j], m.pods[i] })
	return m, nil
}

// selecting returns the sets that select a pod of namespace ns with these labels.
func (m *mover) selecting(ns string, l map[string]string) []string {
	key := ns + "\x00" + labels.Set(l).String()
	if out, ok := m.memo[key]; ok {
		return out
	}
	nsLabels := m.nsLabels[ns]
	if nsLabels == nil {
		nsLabels = labels.Set{corev1.LabelMetadataName: ns}
	}
	out := []string{}
	for _, name := range m.sets {
		sel := m.sels[name]
		inNS := sel.Namespace == ns
		if sel.Namespace == "" {
			inNS = sel.NamespaceSelector.Matches(nsLabels)
		}
		if inNS && sel.PodSelector.Matches(labels.Set(l)) {
			out = append(out, name)
		}
	}
	m.memo[key] = out
	return out
}

// move picks new labels for p that change its membership in at least one set, and returns them with
// the sets that change; ok is false when no single label change does.
func (m *mover) move(p *benchPod) (newLabels map[string]string, changed []string, ok bool) {
	before := m.selecting(p.namespace, p.labels)
	type option struct {
		labels  map[string]string
		changed []string
	}
	var options []option
	for _, k := range m.keys {
		for _, v := range m.values[k] {
			if p.labels[k] == v {
				continue
			}
			l := maps.Clone(p.labels)
			if l == nil {
				l = map[string]string{}
			}
			l[k] = v
			if d := symmetricDiff(before, m.selecting(p.namespace, l)); len(d) > 0 {
				options = append(options, option{l, d})
			}
		}
	}
	if len(options) == 0 {
		return nil, nil, false
	}
	o := options[m.rng.Intn(len(options))]
	return o.labels, o.changed, true
}

// symmetricDiff of two sorted lists.
func symmetricDiff(a, b []string) []string {
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return out
}

// Stream is one run of pod label changes.
type Stream struct {
	Name          string  `json:"name"`
	OfferedRate   float64 `json:"offered_rate"`  // events/s asked for; 0 for as fast as possible
	SentRate      float64 `json:"sent_rate"`     // events/s the writers achieved
	Events        int     `json:"events"`        // label changes written
	Committed     int     `json:"committed"`     // of those, seen whole in NB
	Throughput    float64 `json:"throughput"`    // committed events/s, first write to last commit
	P50ms         float64 `json:"p50_ms"`        // API write to NB commit, seen by a separate NB monitor
	P99ms         float64 `json:"p99_ms"`        //
	Maxms         float64 `json:"max_ms"`        //
	CtrlP50ms     Bound   `json:"ctrl_p50_ms"`   // the controller's EventToCommit histogram: bucket bounds
	CtrlP99ms     Bound   `json:"ctrl_p99_ms"`   //
	Ops           float64 `json:"nb_ops"`        // NB operations the controller wrote
	OpsPerEvent   float64 `json:"ops_per_event"` //
	Transactions  uint64  `json:"transactions"`  // NB transactions the controller wrote
	FullSyncs     uint64  `json:"full_syncs"`    // batches written as a full sync
	BatchMs       float64 `json:"batch_ms"`      // mean time from taking a batch to its commit
	CommitMs      float64 `json:"commit_ms"`     // of which the mean NB transaction
	SetChanges    int     `json:"set_changes"`   // address-set memberships the events changed
	Unexpected    int     `json:"unexpected"`    // address-set changes the bench did not ask for
	Late          int     `json:"late"`          // events of an earlier stream that reached NB in this one
	StalledEvents int     `json:"stalled"`       // events sent late because every pod had one in flight
	Reshards      int     `json:"reshards"`      // sets written anew in new rows (a shard count changed)
	Usage         Usage   `json:"usage"`
}

// streamer writes label changes into the fake API server's object store and matches them with the set
// changes the NB monitor reports. It writes to the store, which tells the informers' watches, rather
// than through the fake clientset: that records a copy of every call under one lock, an API server's
// cost the controller would not pay, and on two cores it took CPU from the controller and NB.
type streamer struct {
	api     clienttesting.ObjectTracker
	mover   *mover
	writers int
	// clearActions forgets the fake API's record of every call it served, which would otherwise grow
	// by a copy of the pod with every event.
	clearActions func()

	mu         sync.Mutex
	freed      *sync.Cond
	idle       []*benchPod
	byIP       map[string]*inFlight
	stream     int // counts the runs; an event in flight belongs to the run it was sent in
	latencies  []float64
	lastCommit time.Time
	unexpected int
	late       int
	reshards   int
	writeErr   error
}

// inFlight is an event written to the API whose set changes NB has not all shown yet. One that outlives
// its stream's wait stays here, its pod busy, so that its changes when they come are known for what
// they are, and the pod's next move starts from the labels the API holds.
type inFlight struct {
	pod    *benchPod
	labels map[string]string
	left   map[string]bool
	sent   time.Time
	stream int
	// reshaped: the last time each set it waits on was written anew (re-sharded), which may have carried
	// this event's change of it (see streamer.reshaped).
	reshaped map[string]time.Time
}

// podsResource is the resource the object store keeps pods under.
var podsResource = corev1.SchemeGroupVersion.WithResource("pods")

type job struct {
	pod     *benchPod
	labels  map[string]string
	changed []string
}

func newStreamer(api clienttesting.ObjectTracker, clearActions func(), m *mover, writers int) *streamer {
	s := &streamer{api: api, clearActions: clearActions, mover: m, writers: writers, idle: slices.Clone(m.pods),
		byIP: map[string]*inFlight{}}
	s.freed = sync.NewCond(&s.mu)
	return s
}

// toggled is the NB monitor's callback.
func (s *streamer) toggled(at time.Time, set string, addrs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range addrs {
		f := s.byIP[a]
		if f == nil || !f.left[set] {
			s.unexpected++
			continue
		}
		s.settle(at, a, f, set)
	}
}

// reshaped is the NB monitor's callback for a set written anew (re-sharded). That write carries the
// changes of the events the controller had taken, but not which: an event waiting on the set keeps its
// pod busy, so a later change of the set at its address is still its own, and one that none comes for
// counts as committed at the set's last rewrite (settleReshaped).
func (s *streamer) reshaped(at time.Time, set string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reshards++
	for _, f := range s.byIP {
		if f.left[set] {
			if f.reshaped == nil {
				f.reshaped = map[string]time.Time{}
			}
			f.reshaped[set] = at
		}
	}
}

// waitsOnlyForRewrites says whether every set an event waits on was rewritten since it was sent.
func (f *inFlight) waitsOnlyForRewrites() bool {
	for set := range f.left {
		if _, ok := f.reshaped[set]; !ok {
			return false
		}
	}
	return true
}

// settleReshaped settles the events of a stream that wait only on rewritten sets, at the last rewrite;
// s.mu is held.
func (s *streamer) settleReshaped(stream int) {
	for ip, f := range s.byIP {
		if f.stream != stream || !f.waitsOnlyForRewrites() {
			continue
		}
		var last time.Time
		for set := range f.left {
			if at := f.reshaped[set]; at.After(last) {
				last = at
			}
		}
		for set := range f.left {
			s.settle(last, ip, f, set)
		}
	}
}

// settle records that NB showed the event in flight for ip changing set; s.mu is held.
func (s *streamer) settle(at time.Time, ip string, f *inFlight, set string) {
	delete(f.left, set)
	if len(f.left) > 0 {
		return
	}
	delete(s.byIP, ip)
	if f.stream == s.stream {
		s.latencies = append(s.latencies, at.Sub(f.sent).Seconds())
		s.lastCommit = at
	} else {
		s.late++
	}
	f.pod.labels = f.labels
	s.idle = append(s.idle, f.pod)
	s.freed.Signal()
}

// run writes events at rate per second (0: as fast as the writers go) for d, then waits up to settle
// for the last ones to reach NB.
func (s *streamer) run(ctx context.Context, name string, rate float64, d, settle time.Duration) (Stream, error) {
	st := Stream{Name: name, OfferedRate: rate}
	s.mu.Lock()
	s.latencies, s.unexpected, s.late, s.reshards, s.writeErr = nil, 0, 0, 0, nil
	s.stream++
	stream := s.stream
	s.mu.Unlock()

	jobs := make(chan job, 4096)
	var wg sync.WaitGroup
	var lastSent time.Time
	var sentMu sync.Mutex
	for w := 0; w < s.writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				got, err := s.api.Get(podsResource, j.pod.namespace, j.pod.name)
				obj, ok := got.(*corev1.Pod)
				if err != nil || !ok {
					s.mu.Lock()
					if s.writeErr == nil {
						s.writeErr = fmt.Errorf("get pod %s/%s: %T, %w", j.pod.namespace, j.pod.name, got, err)
					}
					s.mu.Unlock()
					continue
				}
				obj.Labels = j.labels
				left := map[string]bool{}
				for _, c := range j.changed {
					left[c] = true
				}
				now := time.Now()
				s.mu.Lock()
				s.byIP[j.pod.ip] = &inFlight{pod: j.pod, labels: j.labels, left: left, sent: now, stream: stream}
				s.mu.Unlock()
				if err := s.api.Update(podsResource, obj, obj.Namespace); err != nil {
					s.mu.Lock()
					delete(s.byIP, j.pod.ip)
					if s.writeErr == nil {
						s.writeErr = fmt.Errorf("update pod %s/%s: %w", obj.Namespace, obj.Name, err)
					}
					s.mu.Unlock()
				}
				sentMu.Lock()
				lastSent = time.Now()
				sentMu.Unlock()
			}
		}()
	}

	start := time.Now()
	end := start.Add(d)
	for i := 0; ; i++ {
		due := start
		if rate > 0 {
			due = start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
			if due.After(end) {
				break
			}
			if wait := time.Until(due); wait > 0 {
				time.Sleep(wait)
			}
		} else if time.Now().After(end) {
			break
		}
		if ctx.Err() != nil {
			break
		}
		j, stalled, ok := s.next(end)
		if !ok {
			break
		}
		if stalled {
			st.StalledEvents++
		}
		st.Events++
		st.SetChanges += len(j.changed)
		jobs <- j
		if st.Events%1000 == 0 {
			s.clearActions()
		}
	}
	close(jobs)
	wg.Wait()
	s.clearActions()
	sendTime := lastSent.Sub(start)

	deadline := time.Now().Add(settle)
	for {
		s.mu.Lock()
		left, werr := s.inFlight(stream), s.writeErr
		s.mu.Unlock()
		if left == 0 || werr != nil || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settleReshaped(stream)
	st.Committed = len(s.latencies)
	st.Unexpected = s.unexpected
	st.Late = s.late
	st.Reshards = s.reshards
	if sendTime > 0 {
		st.SentRate = float64(st.Events) / sendTime.Seconds()
	}
	if st.Committed > 0 {
		st.Throughput = float64(st.Committed) / s.lastCommit.Sub(start).Seconds()
		lat := sortedCopy(s.latencies)
		st.P50ms, st.P99ms, st.Maxms = 1000*percentile(lat, 0.50), 1000*percentile(lat, 0.99), 1000*lat[len(lat)-1]
	}
	var problems []string
	if s.writeErr != nil {
		problems = append(problems, s.writeErr.Error())
	}
	if st.Events == 0 {
		problems = append(problems, "no events were written")
	}
	if st.Committed < st.Events {
		var missing []string
		for ip, f := range s.byIP {
			if f.stream != stream {
				continue
			}
			missing = append(missing, fmt.Sprintf("%s/%s (%s: %d sets left)", f.pod.namespace, f.pod.name, ip, len(f.left)))
			if len(missing) == 3 {
				break
			}
		}
		problems = append(problems, fmt.Sprintf("%d of %d events did not reach NB within %s, e.g. %s",
			st.Events-st.Committed, st.Events, settle, strings.Join(missing, ", ")))
		// They stay in flight: the next stream does not wait for them, and their changes, when they come,
		// count as late rather than unexpected.
	}
	if st.Unexpected > 0 {
		problems = append(problems,
			fmt.Sprintf("NB changed %d address-set memberships the events did not ask for", st.Unexpected))
	}
	if len(problems) > 0 {
		return st, fmt.Errorf("stream %s: %s", name, strings.Join(problems, "; "))
	}
	return st, nil
}

// inFlight counts the events of one stream NB has not shown whole; s.mu is held.
func (s *streamer) inFlight(stream int) int {
	n := 0
	for _, f := range s.byIP {
		if f.stream == stream && !f.waitsOnlyForRewrites() {
			n++
		}
	}
	return n
}

// next takes an idle pod, waiting (until end) when every pod has an event in flight, and picks its
// move. stalled says it had to wait; ok is false when no idle pod came in time.
func (s *streamer) next(end time.Time) (j job, stalled, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tries := 0; ; {
		for len(s.idle) == 0 {
			if time.Now().After(end) {
				return job{}, stalled, false
			}
			stalled = true
			s.waitFreed(end)
		}
		p := s.idle[0]
		s.idle = s.idle[1:]
		l, changed, movable := s.mover.move(p)
		if movable {
			return job{pod: p, labels: l, changed: changed}, stalled, true
		}
		if tries++; tries > len(s.mover.pods) {
			return job{}, stalled, false // no pod can move
		}
		s.idle = append(s.idle, p)
	}
}

// waitFreed waits on freed, but no later than end; s.mu is held.
func (s *streamer) waitFreed(end time.Time) {
	t := time.AfterFunc(time.Until(end), func() {
		s.mu.Lock()
		s.freed.Broadcast()
		s.mu.Unlock()
	})
	s.freed.Wait()
	t.Stop()
}

// Bound is a histogram bucket bound in ms; past the last bucket it is +Inf, which JSON writes as "+Inf".
type Bound float64

// MarshalJSON writes +Inf as the string "+Inf", which JSON numbers cannot hold.
func (b Bound) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(b), 1) {
		return []byte(`"+Inf"`), nil
	}
	return json.Marshal(float64(b))
}
