package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// selector converts an API label selector. A nil selector selects nothing; an empty one everything, as
// Kubernetes defines. A malformed one (unknown operator, bad values) is an error, never "everything".
func selector(ls *metav1.LabelSelector) (labels.Selector, error) {
	if ls == nil {
		return labels.Nothing(), nil
	}
	key := selectorCacheKey(ls)
	if c, ok := selectors.Load(key); ok {
		r := c.(convertedSelector)
		return r.sel, r.err
	}
	var r convertedSelector
	r.sel, r.err = metav1.LabelSelectorAsSelector(ls)
	if r.err != nil {
		r.sel, r.err = nil, fmt.Errorf("invalid label selector: %w", r.err)
	}
	if selectorCount.Add(1) > maxCachedSelectors {
		selectors.Clear()
		selectorCount.Store(0)
	}
	selectors.Store(key, r)
	return r.sel, r.err
}

// Converting a selector validates every key and value, and tens of thousands of policies repeat a few
// selectors, so conversions are remembered (the result is never changed, only read), up to a bound that
// keeps a long-lived process's cache to the selectors in use.
var (
	selectors     sync.Map // selectorCacheKey -> convertedSelector
	selectorCount atomic.Int64
)

const maxCachedSelectors = 1 << 16

type convertedSelector struct {
	sel labels.Selector
	err error
}

// selectorCacheKey spells out every field of ls, each string prefixed by its length, so that two
// selectors have one key only when they are equal.
func selectorCacheKey(ls *metav1.LabelSelector) string {
	var b strings.Builder
	str := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	keys := make([]string, 0, len(ls.MatchLabels))
	for k := range ls.MatchLabels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b.WriteString(strconv.Itoa(len(keys)))
	for _, k := range keys {
		str(k)
		str(ls.MatchLabels[k])
	}
	for _, e := range ls.MatchExpressions {
		b.WriteString(";")
		str(e.Key)
		str(string(e.Operator))
		b.WriteString(strconv.Itoa(len(e.Values)))
		for _, v := range e.Values {
			str(v)
		}
	}
	return b.String()
}
