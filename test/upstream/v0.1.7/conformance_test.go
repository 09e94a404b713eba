package upstream

import (
	"flag"
	"os"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/config"
	"sigs.k8s.io/network-policy-api/apis/v1alpha1"
	"sigs.k8s.io/network-policy-api/conformance/tests"
	"sigs.k8s.io/network-policy-api/conformance/utils/suite"

	"github.com/tieracl/tieracl/test/upstream/harness"
)

var (
	reportPath     = flag.String("report", "upstream-v0.1.7.yaml", "where to write the upstream report")
	runPath        = flag.String("run-file", "upstream-v0.1.7.run.json", "where to write the run file")
	version        = flag.String("implementation-version", "dev", "tieracl's version in the report")
	requestTimeout = flag.Duration("request-timeout", 3*time.Second, "agnhost connect --timeout of each probe")
	readyTimeout   = flag.Duration("ready-timeout", 5*time.Minute, "wait for the base workload to be Ready")
)

// TestConformance runs the unchanged suite against the cluster in $KUBECONFIG and writes the upstream
// report and the run file (settings and recorded API calls) for the verdict command.
func TestConformance(t *testing.T) {
	if os.Getenv("KUBECONFIG") == "" && os.Getenv("KUBERNETES_SERVICE_HOST") == "" {
		t.Fatal("harness: KUBECONFIG is not set: bring a cluster up first (make cluster-up prints the export line)")
	}
	cfg, err := config.GetConfig()
	if err != nil {
		t.Fatalf("harness: loading the Kubernetes config: %v", err)
	}
	rec, cfg, err := record(cfg)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatalf("harness: making the client: %v", err)
	}
	if err := v1alpha1.Install(c.Scheme()); err != nil {
		t.Fatalf("harness: registering the v1alpha1 types: %v", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("harness: making the clientset: %v", err)
	}
	settings := Settings{RequestTimeout: *requestTimeout, ReadyTimeout: *readyTimeout, Version: *version}
	cSuite, err := suite.NewConformanceProfileTestSuite(ProfileOptions(c, cs, cfg, settings))
	if err != nil {
		t.Fatalf("harness: making the suite: %v", err)
	}

	started := time.Now()
	defer func() { // also when Setup gives up: the verdict says why
		err := harness.WriteRun(*runPath, harness.Run{Suite: SuiteName, Profiles: harness.Names(Profiles),
			Features: harness.Names(Features), Skip: SkipTests, Options: settings.describe(), Started: started,
			WallTime: harness.Duration(time.Since(started)), Events: rec.Events()})
		if err != nil {
			t.Errorf("harness: writing the run file: %v", err)
		}
	}()
	cSuite.Setup(t)
	if err := cSuite.Run(t, tests.ConformanceTests); err != nil {
		t.Fatalf("harness: %v", err)
	}
	report, err := cSuite.Report()
	if err != nil {
		t.Fatalf("harness: making the report: %v", err)
	}
	if err := harness.WriteReport(*reportPath, report); err != nil {
		t.Fatalf("harness: writing the report: %v", err)
	}
	t.Logf("upstream report in %s", *reportPath)
}

// record returns a copy of cfg whose every request the recorder sees.
func record(cfg *rest.Config) (*harness.Recorder, *rest.Config, error) {
	watch, err := rest.TransportFor(cfg)
	if err != nil {
		return nil, nil, err
	}
	rec := &harness.Recorder{Host: cfg.Host, Watch: watch}
	cfg = rest.CopyConfig(cfg)
	cfg.WrapTransport = rec.Wrap
	return rec, cfg, nil
}

func (s Settings) describe() map[string]string {
	return map[string]string{"RequestTimeout": s.RequestTimeout.String(),
		"NamespacesMustBeReady": s.ReadyTimeout.String()}
}
