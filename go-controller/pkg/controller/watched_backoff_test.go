package controller

import (
	"testing"
	"time"
)

// The wait before a list: after an outage of unanswered rounds the backoff is at its cap, and the round
// whose watch the returning server answers (410 Gone) makes the next list come at once.
func TestRelistBackoff(t *testing.T) {
	first := time.Duration(float64(watchBackoff.Duration) * (1 + watchBackoff.Jitter)) // the first step's most
	capMin := watchBackoff.Cap
	tests := []struct {
		name   string
		rounds []bool        // answered, per round; each round lasts took
		took   time.Duration // how long each round lasted
		check  func(time.Duration) bool
		want   string
	}{
		{"first failure waits the first step", []bool{false}, 0,
			func(d time.Duration) bool { return d <= first }, "<= first step"},
		{"an outage grows the wait to the cap", []bool{false, false, false, false, false, false, false, false}, 0,
			func(d time.Duration) bool { return d >= capMin }, ">= cap"},
		{"a 410 after an outage lists at once", []bool{false, false, false, false, false, false, false, true}, 0,
			func(d time.Duration) bool { return d <= first }, "<= first step"},
		{"410 on every short round backs off", []bool{true, true, true, true, true, true, true, true}, 0,
			func(d time.Duration) bool { return d >= capMin }, ">= cap"},
		{"answered long rounds stay prompt", []bool{true, true, true, true, true, true, true, true}, calmRound + 1,
			func(d time.Duration) bool { return d <= first }, "<= first step"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r relistBackoff
			r.reset()
			var d time.Duration
			for _, a := range tt.rounds {
				d = r.next(a, tt.took)
			}
			if !tt.check(d) {
				t.Errorf("wait after %v = %v, want %s", tt.rounds, d, tt.want)
			}
		})
	}
}
