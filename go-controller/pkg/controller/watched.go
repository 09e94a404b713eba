package controller

import (
	"context"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// watchBackoff is the wait between a reflector's failed lists and watches. client-go's default grows
// from 0.8 s to 30 s (jittered up to 60 s) and resets only after two calm minutes, so after an API
// server outage the caches caught up 7 to 88 s late. This one stays under 1.5 s: six lists a second at
// most while the API server is down.
var watchBackoff = wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Jitter: 0.5, Steps: 8, Cap: time.Second}

// calmRound is how long a round of list and watch must last for the next list to come promptly even if
// the round before was answered too: a server that answers every watch with 410 at once is not listed
// ten times a second.
const calmRound = 10 * time.Second

// watchedStaleAfter is how long a resource may have no open watch before the caches count as stale:
// a watch the server ends on its timeout is reopened at once.
const watchedStaleAfter = time.Second

// lister is what the typed clients of every watched kind offer.
type lister[L runtime.Object] interface {
	List(context.Context, metav1.ListOptions) (L, error)
	Watch(context.Context, metav1.ListOptions) (watch.Interface, error)
}

// watched is the cache of one kind, filled by a client-go Reflector of its own rather than a shared
// informer factory's: the factory cannot set the reflector's backoff, nor tell whether a watch is open.
// Every change to the cache queues the object's key.
type watched struct {
	kind      Kind
	store     cache.Store
	reflector *cache.Reflector
	transform func(any) (any, error) // applied to each object before it is stored; nil keeps it whole
	changed   func(Key)
	metrics   *Metrics

	mu         sync.Mutex
	synced     bool
	open       int       // watches open now
	staleSince time.Time // when the last open watch ended; zero while one is open
	answered   bool      // the API server answered a watch (opened it, or said 410 Gone) since the last list
}

// newWatched makes the cache of one kind; client is the clientset, asked whether it serves watch lists.
func newWatched[L runtime.Object](kind Kind, obj runtime.Object, c lister[L], client any, changed func(Key),
	m *Metrics) *watched {
	w := &watched{kind: kind, store: cache.NewStore(cache.MetaNamespaceKeyFunc), changed: changed, metrics: m,
		staleSince: time.Now()}
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return c.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			wi, err := c.Watch(ctx, o)
			if apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
				w.setAnswered()
			}
			if err != nil {
				return nil, err
			}
			return w.track(wi), nil
		},
	}
	w.reflector = cache.NewReflectorWithOptions(cache.ToListWatcherWithWatchListSemantics(lw, client), obj,
		(*watchedStore)(w), cache.ReflectorOptions{Name: string(kind), TypeDescription: string(kind),
			Backoff: &watchBackoff})
	m.InformerStale.WithLabelValues(string(kind)).Set(1)
	return w
}

// run lists and watches until ctx ends. It is the reflector's own loop but for the wait before it lists
// again: client-go's slides on after every round, so after an outage the list that a 410 Gone calls for
// waited out a backoff grown to its cap while the server was away. Here a round in which the server
// answered a watch starts the backoff afresh, unless the round before was answered too and this one was
// short (a server that answers every watch with 410).
func (w *watched) run(ctx context.Context) {
	var r relistBackoff
	r.reset()
	for {
		start := time.Now()
		if err := w.reflector.ListAndWatchWithContext(ctx); err != nil {
			cache.DefaultWatchErrorHandler(ctx, w.reflector, err)
		}
		if ctx.Err() != nil {
			return
		}
		t := time.NewTimer(r.next(w.takeAnswered(), time.Since(start)))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// relistBackoff chooses the wait before each list: the backoff grows while rounds fail unanswered, and
// starts afresh after a round the server answered, unless the round before was answered too and this
// one was short.
type relistBackoff struct {
	b            wait.Backoff
	lastAnswered bool
}

func (r *relistBackoff) reset() { r.b = watchBackoff }

// next is the wait after a round that lasted took; answered says whether the server answered a watch in it.
func (r *relistBackoff) next(answered bool, took time.Duration) time.Duration {
	if answered && (!r.lastAnswered || took > calmRound) {
		r.reset()
	}
	r.lastAnswered = answered
	return r.b.Step()
}

func (w *watched) setAnswered() {
	w.mu.Lock()
	w.answered = true
	w.mu.Unlock()
}

func (w *watched) takeAnswered() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	a := w.answered
	w.answered = false
	return a
}

// GetStore is the cache, as an informer's.
func (w *watched) GetStore() cache.Store { return w.store }

// HasSynced reports whether the first list has been stored.
func (w *watched) HasSynced() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.synced
}

// staleFor is how long the kind has had no open watch, zero while it has one.
func (w *watched) staleFor(now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.open > 0 {
		return 0
	}
	return now.Sub(w.staleSince)
}

func (w *watched) watchOpened() {
	w.mu.Lock()
	w.open++
	w.answered = true
	w.staleSince = time.Time{}
	w.mu.Unlock()
	w.metrics.InformerStale.WithLabelValues(string(w.kind)).Set(0)
}

func (w *watched) watchClosed() {
	w.mu.Lock()
	w.open--
	stale := w.open == 0
	if stale {
		w.staleSince = time.Now()
	}
	w.mu.Unlock()
	if stale {
		w.metrics.InformerStale.WithLabelValues(string(w.kind)).Set(1)
	}
}

// track passes a watch's events on and records when it opens and ends. An Error event (such as 410
// Gone) ends it too: the reflector lists again before it watches anew.
func (w *watched) track(in watch.Interface) watch.Interface {
	w.watchOpened()
	t := &trackedWatch{in: in, out: make(chan watch.Event), stop: make(chan struct{})}
	go func() {
		defer close(t.out)
		defer w.watchClosed()
		for ev := range in.ResultChan() {
			select {
			case t.out <- ev:
			case <-t.stop:
				return
			}
			if ev.Type == watch.Error {
				return
			}
		}
	}()
	return t
}

type trackedWatch struct {
	in   watch.Interface
	out  chan watch.Event
	stop chan struct{}
	once sync.Once
}

func (t *trackedWatch) ResultChan() <-chan watch.Event { return t.out }

func (t *trackedWatch) Stop() {
	t.once.Do(func() {
		close(t.stop)
		t.in.Stop()
	})
}

// watchedStore is the reflector's view of a watched: it stores what the reflector sends and queues the
// key of every object that changed.
type watchedStore watched

func (s *watchedStore) Add(obj any) error    { return s.put(obj) }
func (s *watchedStore) Update(obj any) error { return s.put(obj) }
func (s *watchedStore) Resync() error        { return nil }

func (s *watchedStore) put(obj any) error {
	obj, err := s.trim(obj)
	if err != nil {
		return err
	}
	if err := s.store.Add(obj); err != nil {
		return err
	}
	s.notify(obj)
	return nil
}

func (s *watchedStore) Delete(obj any) error {
	if err := s.store.Delete(obj); err != nil {
		return err
	}
	s.notify(obj)
	return nil
}

// Replace stores a whole new list (a relist after a watch was lost) and queues only what differs from
// before: objects added, changed (another resource version, or none to compare) or gone.
func (s *watchedStore) Replace(list []any, rv string) error {
	before := map[string]string{}
	for _, old := range s.store.List() {
		if m, err := meta.Accessor(old); err == nil {
			before[keyOf(m)] = m.GetResourceVersion()
		}
	}
	var changed []metav1.Object
	for i, obj := range list {
		obj, err := s.trim(obj)
		if err != nil {
			return err
		}
		list[i] = obj
		m, err := meta.Accessor(obj)
		if err != nil {
			return err
		}
		k := keyOf(m)
		if v, ok := before[k]; !ok || v == "" || v != m.GetResourceVersion() {
			changed = append(changed, m)
		}
		delete(before, k)
	}
	if err := s.store.Replace(list, rv); err != nil {
		return err
	}
	for _, m := range changed {
		s.changed(Key{Kind: s.kind, Namespace: m.GetNamespace(), Name: m.GetName()})
	}
	for k := range before {
		ns, name, _ := cache.SplitMetaNamespaceKey(k)
		s.changed(Key{Kind: s.kind, Namespace: ns, Name: name})
	}
	s.mu.Lock()
	s.synced = true
	s.mu.Unlock()
	return nil
}

func (s *watchedStore) trim(obj any) (any, error) {
	if s.transform == nil {
		return obj, nil
	}
	return s.transform(obj)
}

func (s *watchedStore) notify(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	if m, err := meta.Accessor(obj); err == nil {
		s.changed(Key{Kind: s.kind, Namespace: m.GetNamespace(), Name: m.GetName()})
	}
}

func keyOf(m metav1.Object) string {
	if m.GetNamespace() == "" {
		return m.GetName()
	}
	return m.GetNamespace() + "/" + m.GetName()
}
