package controller_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tieracl/tieracl/go-controller/pkg/controller"
	"github.com/tieracl/tieracl/go-controller/pkg/nbdb"
	"github.com/tieracl/tieracl/go-controller/pkg/testobj"
	"github.com/tieracl/tieracl/go-controller/pkg/translate"
)

// The log meter is owned like the other rows: a hand edit of its band or the meter itself is repaired
// at once (the periodic resync is off) and counted under the Meter table.
func TestMeterDriftIsRepaired(t *testing.T) {
	t.Parallel()
	e := newEnv(t, world())
	logged := testobj.ANP("logged", 10, testobj.SubjectPods(testobj.Sel("team", "a"), testobj.Sel("app", "web")),
		testobj.ANPIngressRule("", deny, nil, testobj.FromPods(testobj.Sel("team", "b"), testobj.Sel())))
	logged.Annotations = map[string]string{"k8s.ovn.org/acl-logging": `{"deny":"alert"}`}
	e.put(logged)
	r := e.start(func(c *controller.Config) { c.ResyncInterval = -1 })
	e.synced()
	nbctl := func(args ...string) string {
		t.Helper()
		out, err := e.bed.NBCtl(e.ctx, args...)
		if err != nil {
			t.Fatalf("ovn-nbctl %v: %v", args, err)
		}
		return strings.TrimSpace(out)
	}
	meter := func() string {
		return nbctl("--bare", "--columns=_uuid", "find", "Meter", "name="+translate.LogMeterName)
	}
	if meter() == "" {
		t.Fatal("no log meter in NB")
	}
	steps := []struct {
		name string
		edit func() []string
	}{
		{"band rate changed", func() []string {
			return []string{"set", "Meter_Band", nbctl("--bare", "--columns=bands", "list", "Meter", meter()), "rate=1000"}
		}},
		{"meter made unfair", func() []string { return []string{"set", "Meter", meter(), "fair=false"} }},
		{"meter deleted", func() []string { return []string{"destroy", "Meter", meter()} }},
	}
	counted := func() float64 { return testutil.ToFloat64(r.metrics.DriftRepaired.WithLabelValues(nbdb.MeterTable)) }
	for _, s := range steps {
		before := counted()
		edited := time.Now()
		nbctl(s.edit()...)
		e.eventually(s.name+": repaired", func() error {
			if err := e.nbHolds(e.snap); err != nil {
				return err
			}
			if counted() == before {
				return fmt.Errorf("no meter drift counted")
			}
			return nil
		})
		t.Logf("%s: repaired and counted %v after the edit", s.name, time.Since(edited).Round(time.Millisecond))
	}
	if rate := nbctl("--bare", "--columns=rate", "list", "Meter_Band"); rate != fmt.Sprint(translate.DefaultACLLogRate) {
		t.Errorf("band rate after the repairs = %q, want %d", rate, translate.DefaultACLLogRate)
	}
}
