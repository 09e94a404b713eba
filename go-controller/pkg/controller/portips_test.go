package controller

import (
	"fmt"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
)

func TestPortIPs(t *testing.T) {
	dyn := "0a:58:0a:00:00:07 10.0.0.7"
	cases := []struct {
		addresses []string
		dynamic   *string
		want      string
	}{
		{[]string{"0a:58:0a:00:00:05 10.0.0.5"}, nil, "[10.0.0.5]"},
		{[]string{"0a:58:0a:00:00:05 10.0.0.5 fd00::5"}, nil, "[10.0.0.5 fd00::5]"},
		{[]string{"0a:58:0a:00:00:05 10.0.0.5/24"}, nil, "[10.0.0.5]"},
		{[]string{"dynamic"}, &dyn, "[10.0.0.7]"},
		{[]string{"router"}, nil, "[]"},
		{[]string{"unknown", "0a:58:0a:00:00:05"}, nil, "[]"},
		{nil, nil, "[]"},
	}
	for _, tc := range cases {
		got := fmt.Sprint(portIPs(&nbdb.LogicalSwitchPort{Addresses: tc.addresses, DynamicAddresses: tc.dynamic}))
		if got != tc.want {
			t.Errorf("portIPs(%q, %v) = %s, want %s", tc.addresses, tc.dynamic, got, tc.want)
		}
	}
}
