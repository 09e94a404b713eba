package ovnbackend

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tieracl/tieracl/examples"
	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/eval"
	"github.com/tieracl/tieracl/go-controller/pkg/policytest"
)

// TestExamples runs every example's policy tests through both real-OVN backends and fails on every probe
// that does not get its expected verdict, naming the file and the probe. SCTP probes on a kernel without
// SCTP are not judged: they are listed and counted apart, never as passed, and only SCTP probes may end so.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("needs OVN 25.03 (test/ovn/fetch.sh) and root for the ovn and datapath backends; skipped under -short")
	}
	files, err := examples.TestFiles("../../../examples")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{NameOVN, NameDatapath} {
		t.Run(name, func(t *testing.T) {
			backend := testBackend(t, name)
			var total time.Duration
			var probes, passed, sctp int
			for _, path := range files {
				short := strings.TrimPrefix(path, "../../../")
				suite, err := policytest.Load(path)
				if err != nil {
					t.Errorf("%s: %v", short, err)
					continue
				}
				start := time.Now()
				results, setup, err := runSuite(backend, suite)
				elapsed := time.Since(start)
				if err != nil {
					t.Errorf("%s: %v", short, err)
					continue
				}
				total += elapsed
				probes += len(results)
				for _, r := range results {
					switch {
					case r.Pass:
						passed++
					case r.Probe.Protocol == "SCTP" && r.NotJudged():
						sctp++
						t.Logf("%s: probes[%d] not judged: %v", short, r.Index, r.Err)
					default:
						t.Error(failure(short, r))
					}
				}
				t.Logf("%s: %d probes in %v (bed %v, probes %v, %v per probe)", short, len(results),
					elapsed.Round(time.Millisecond), setup.Round(time.Millisecond),
					(elapsed - setup).Round(time.Millisecond), perProbe(elapsed-setup, len(results)))
			}
			t.Logf("%s: %d files, %d probes (%d passed, %d SCTP not judged) in %v, %v per probe", name,
				len(files), probes, passed, sctp, total.Round(time.Millisecond), perProbe(total, probes))
		})
	}
}

// runSuite builds the backend's evaluator for the suite, runs it and closes it; setup is the time
// the backend took to start.
func runSuite(backend policytest.Backend,
	suite *policytest.Suite) (_ []policytest.Result, setup time.Duration, err error) {
	start := time.Now()
	ev, err := backend(suite.Snapshot)
	setup = time.Since(start)
	if err != nil {
		return nil, setup, err
	}
	defer func() { err = errors.Join(err, policytest.Close(ev)) }()
	return policytest.Run(ev, suite), setup, nil
}

func failure(file string, r policytest.Result) string {
	p := r.Probe
	msg := file + ": probes[" + strconv.Itoa(r.Index) + "] " + p.From + " -> " + p.To + " " +
		p.Protocol + "/" + p.Port.String() + " " + p.Family +
		": expected " + p.Expect + ", got " + r.Got() + " (" + policytest.Deciding(r.Verdict) + ")"
	if r.Err != nil {
		msg += ": " + r.Err.Error()
	}
	return msg
}

func perProbe(d time.Duration, n int) time.Duration {
	if n == 0 {
		return 0
	}
	return (d / time.Duration(n)).Round(100 * time.Microsecond)
}

// Compile-time checks: both evaluators close their beds, and the datapath judges suites at once.
var (
	_ interface{ Close() error }                      = (*OVN)(nil)
	_ policytest.BatchEvaluator                       = (*Datapath)(nil)
	_ func(*cluster.Snapshot) (eval.Evaluator, error) = policytest.Backend(nil)
)
