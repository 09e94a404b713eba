package probe

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestMainDial(t *testing.T) {
	closed := freePort(t, "tcp")
	cases := []struct {
		name         string
		args         []string
		wantStatus   int
		wantOutcomes []Outcome
	}{
		{name: "one result line per target, in order", wantStatus: 0,
			args:         []string{"dial", "--timeout=200ms", "tcp:127.0.0.1:" + itoa(closed), "sctp:127.0.0.1:" + itoa(closed)},
			wantOutcomes: []Outcome{Refused, ""}},
		{name: "bad target is a usage error", args: []string{"dial", "tcp:nowhere"}, wantStatus: 2},
		{name: "unknown command", args: []string{"ping"}, wantStatus: 2},
		{name: "no command", args: nil, wantStatus: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := Main(tc.args, &stdout, &stderr); got != tc.wantStatus {
				t.Fatalf("Main(%v) = %d, want %d; stderr %s", tc.args, got, tc.wantStatus, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if len(tc.wantOutcomes) == 0 {
				if stdout.Len() != 0 {
					t.Fatalf("unexpected output %q", stdout.String())
				}
				return
			}
			if len(lines) != len(tc.wantOutcomes) {
				t.Fatalf("got %d lines, want %d: %q", len(lines), len(tc.wantOutcomes), stdout.String())
			}
			for i, line := range lines {
				var r Result
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatalf("line %d %q: %v", i, line, err)
				}
				if r.Target != tc.args[2+i] {
					t.Errorf("line %d is for %s, want %s", i, r.Target, tc.args[2+i])
				}
				// SCTP on a closed port is refused where the kernel has SCTP, unsupported elsewhere.
				if tc.wantOutcomes[i] == "" {
					if r.Outcome != Refused && r.Outcome != SCTPUnsupported {
						t.Errorf("line %d outcome %s, want refused or sctp-unsupported", i, r.Outcome)
					}
				} else if r.Outcome != tc.wantOutcomes[i] {
					t.Errorf("line %d outcome %s, want %s", i, r.Outcome, tc.wantOutcomes[i])
				}
			}
		})
	}
}
