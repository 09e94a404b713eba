package harness

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const sub = "/Should_support_an_'allow-gress'_policy"

// stream builds go test -json lines: each step is "action test [output]".
func stream(steps ...[3]string) string {
	var b strings.Builder
	for _, s := range steps {
		ev := map[string]any{"Action": s[0], "Test": s[1]}
		if s[2] != "" {
			ev["Output"] = s[2]
		}
		line, _ := json.Marshal(ev)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func out(test, text string) [3]string { return [3]string{"output", test, text} }
func act(a, test string) [3]string    { return [3]string{a, test, ""} }

// probeFail is what the suite logs for a failed probe, then testify's assertion lines.
func probeFail(test, proto, target, stderr string) [][3]string {
	return [][3]string{
		out(test, fmt.Sprintf("    helper.go:86: FAILED Command was [/agnhost connect --timeout=3s --protocol=%s %s]\n",
			proto, target)),
		out(test, "    helper.go:87: Expected connection to succeed from ns/pod-0 to 10.0.0.5, but instead it "+
			"miserably failed. stderr: "+stderr+"\n"),
		out(test, "    gress.go:66: \n"),
		out(test, "        \tError Trace:\t/x/gress.go:66\n"),
		out(test, "        \tError:      \tShould be true\n"),
	}
}

func cat(parts ...[][3]string) [][3]string {
	var all [][3]string
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

func TestJudge(t *testing.T) {
	const top = "TestConformance"
	g := top + "/AdminNetworkPolicyGress"
	sctpOnly := probeFail(g+sub, "sctp", "10.0.0.5:9003", "OTHER: protocol not supported")
	tcpFail := probeFail(g+sub, "tcp", "10.0.0.5:80", "TIMEOUT")
	sctpOther := probeFail(g+sub, "sctp", "10.0.0.5:9003", "TIMEOUT")
	cases := []struct {
		name    string
		steps   [][3]string
		skip    []string
		verdict string // of AdminNetworkPolicyGress
		ok      bool
	}{
		{"passed", cat([][3]string{act("run", g), act("pass", g), act("pass", top)}), nil, Passed, true},
		{"skipped by name", cat([][3]string{act("run", g), out(g, "    suite.go:185: Skipping X\n"),
			act("pass", g), act("pass", top)}), []string{"AdminNetworkPolicyGress"}, Skipped, true},
		{"only SCTP failed", cat([][3]string{act("run", g)}, sctpOnly, sctpOnly,
			[][3]string{act("fail", g+sub), act("fail", g), act("fail", top)}), nil, SCTPNotJudged, true},
		{"TCP failed beside SCTP", cat([][3]string{act("run", g)}, sctpOnly, tcpFail,
			[][3]string{act("fail", g+sub), act("fail", g), act("fail", top)}), nil, Failed, false},
		{"SCTP probe failed for another reason", cat([][3]string{act("run", g)}, sctpOther,
			[][3]string{act("fail", g), act("fail", top)}), nil, Failed, false},
		{"non-probe failure after an SCTP one", cat([][3]string{act("run", g)}, sctpOnly,
			[][3]string{out(g+sub, "        \tError:      \tReceived unexpected error:\n"),
				act("fail", g), act("fail", top)}), nil, Failed, false},
		{"feature not enabled", cat([][3]string{act("run", g), act("skip", g), act("pass", top)}), nil, NotRun, false},
		{"killed mid-test", cat([][3]string{act("run", g)}), nil, NotRun, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := Judge(strings.NewReader(stream(c.steps...)), top, c.skip)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Tests) != 1 || v.Tests[0].Verdict != c.verdict {
				t.Fatalf("tests %+v, want one %s", v.Tests, c.verdict)
			}
			if v.OK() != c.ok {
				t.Errorf("OK() = %v, want %v (%+v)", v.OK(), c.ok, v)
			}
		})
	}
}

func TestJudgeSetupFailure(t *testing.T) {
	const top = "TestConformance"
	s := stream(act("run", top), out(top, "        \tError:      \tReceived unexpected error:\n"),
		out(top, "        \t            \tcontext deadline exceeded\n"), act("fail", top))
	v, err := Judge(strings.NewReader(s), top, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.OK() || len(v.Setup) != 1 || !strings.Contains(v.Setup[0], "unexpected error") {
		t.Fatalf("want a setup failure, got %+v", v)
	}
	v, _ = Judge(strings.NewReader(""), top, nil)
	if v.OK() || len(v.Setup) == 0 {
		t.Fatalf("an empty log must not pass: %+v", v)
	}
}

func TestCheckSelection(t *testing.T) {
	skip := []string{"AEgressSCTP"}
	cases := []struct {
		name string
		sel  []Selection
		errs int
	}{
		{"right", []Selection{{"AEgressSCTP", true, true}, {"AEgressTCP", true, false}}, 0},
		{"feature missing", []Selection{{"AEgressSCTP", true, true}, {"AEgressTCP", false, false}}, 2},
		{"SCTP runs", []Selection{{"AEgressSCTP", true, false}, {"AEgressTCP", true, false}}, 3},
		{"skip list names a test the suite lacks", []Selection{{"AEgressTCP", true, false}}, 1},
	}
	for _, c := range cases {
		if errs := CheckSelection(c.sel, skip, 1); len(errs) != c.errs {
			t.Errorf("%s: %d errors, want %d: %v", c.name, len(errs), c.errs, errs)
		}
	}
}
