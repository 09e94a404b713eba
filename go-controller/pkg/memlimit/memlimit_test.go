package memlimit

import (
	"math"
	"strings"
	"testing"
)

func TestResolve(t *testing.T) {
	cases := []struct {
		value, env string
		want       int64
		from       string
		err        string
	}{
		{value: "1800Mi", want: 1800 << 20, from: "flag"},
		{value: "2G", want: 2_000_000_000, from: "flag"},
		{value: "none", want: math.MaxInt64, from: "none"},
		{value: "auto", env: "1GiB", want: 0, from: "GOMEMLIMIT=1GiB"},
		{value: "", env: "500MiB", want: 0, from: "GOMEMLIMIT=500MiB"},
		{value: "0", err: "must be more than 0"},
		{value: "-1Gi", err: "must be more than 0"},
		{value: "lots", err: "want auto, none or a quantity"},
	}
	for _, tc := range cases {
		t.Run(tc.value+"/"+tc.env, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tc.env)
			got, err := Resolve(tc.value)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Resolve(%q) = %v, %v; want error %q", tc.value, got, err, tc.err)
				}
				return
			}
			if err != nil || got.Bytes != tc.want || got.From != tc.from {
				t.Errorf("Resolve(%q) = %+v, %v; want %d from %q", tc.value, got, err, tc.want, tc.from)
			}
		})
	}
}

func TestParseCgroupLimit(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"max\n", 0, false},
		{"2147483648\n", 2 << 30, true},
		{"9223372036854771712\n", 0, false}, // cgroup v1: no limit
		{"0", 0, false},
		{"garbage", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseCgroupLimit(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseCgroupLimit(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
