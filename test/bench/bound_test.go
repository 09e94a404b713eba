package bench

import (
	"encoding/json"
	"math"
	"testing"
)

// A stream whose events all land past the histogram's last bucket still makes a JSON report.
func TestBoundJSON(t *testing.T) {
	for _, tc := range []struct {
		b    Bound
		want string
	}{{Bound(math.Inf(1)), `"+Inf"`}, {12.5, `12.5`}, {0, `0`}} {
		got, err := json.Marshal(tc.b)
		if err != nil || string(got) != tc.want {
			t.Errorf("%v: %s, %v; want %s", float64(tc.b), got, err, tc.want)
		}
	}
}
