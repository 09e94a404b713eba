package ovnbackend

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/probe"
)

// TestJudge checks how probe outcomes become verdicts: only a timeout is a Deny; refusals, resets and
// SCTP without kernel support are errors, never a pass.
func TestJudge(t *testing.T) {
	tests := []struct {
		name      string
		protocol  probe.Protocol
		result    probe.Result
		wantAllow bool
		wantErr   string
	}{
		{name: "connected to the destination's server", protocol: probe.TCP,
			result: probe.Result{Outcome: probe.Connected, Reply: "b/server tcp:80"}, wantAllow: true},
		{name: "UDP reply", protocol: probe.UDP,
			result: probe.Result{Outcome: probe.Connected, Reply: "b/server udp:80"}, wantAllow: true},
		{name: "answered by another server", protocol: probe.TCP,
			result: probe.Result{Outcome: probe.Connected,
				Reply: "a/client tcp:80"}, wantErr: `the reply was "a/client tcp:80"`},
		{name: "timeout is a drop", protocol: probe.TCP, result: probe.Result{Outcome: probe.TimedOut}},
		{name: "refused is no drop", protocol: probe.TCP,
			result:  probe.Result{Outcome: probe.Refused, Error: "connection refused"},
			wantErr: "refused (connection refused): something answered"},
		{name: "reset is no drop", protocol: probe.TCP, result: probe.Result{Outcome: probe.Reset}, wantErr: "reset"},
		{name: "SCTP unsupported", protocol: probe.SCTP,
			result:  probe.Result{Outcome: probe.SCTPUnsupported, Error: "socket: protocol not supported"},
			wantErr: SCTPUnsupported},
		{name: "unreachable", protocol: probe.TCP, result: probe.Result{Outcome: probe.Unreachable, Error: "no route"},
			wantErr: "unreachable: no route"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &probeJob{dst: Endpoint{Key: "b/server"}, result: tt.result,
				target: probe.Target{Protocol: tt.protocol, Addr: netip.MustParseAddrPort("10.244.1.6:80")}}
			v, err := judge(j)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Allowed != tt.wantAllow {
				t.Errorf("allowed %v, want %v", v.Allowed, tt.wantAllow)
			}
		})
	}
}
