package translate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/tieracl/tieracl/go-controller/pkg/cluster"
	"github.com/tieracl/tieracl/go-controller/pkg/synth"
)

var printDigests = flag.Bool("digests", false,
	"TestDigests prints the digest of the translation of each large preset, to compare two trees")

// digest hashes everything a translation returns: the rows, each policy's problems, the selections and
// the named ports, so that two translations print the same digest exactly when they are equal. Writes to
// a hash never fail.
func digest(t testing.TB, r *Result) string {
	h := sha256.New()
	if err := json.NewEncoder(h).Encode(r.State); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Policies {
		_, _ = fmt.Fprintf(h, "%s %v %v %q\n", p.Owner, p.Rejected, p.Tier, p.Problems)
	}
	names := make([]string, 0, len(r.Selections))
	for n := range r.Selections {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		_, _ = fmt.Fprintf(h, "%s %+v\n", n, *r.Selections[n])
	}
	var refs []string
	for ref, ok := range r.NamedPorts {
		refs = append(refs, fmt.Sprintf("%+v %v", ref, ok))
	}
	slices.Sort(refs)
	_, _ = fmt.Fprintln(h, refs)
	return hex.EncodeToString(h.Sum(nil))
}

// mixedPreset has every policy kind of Large at once: ANPs, NetworkPolicies and a BANP.
var mixedPreset = synth.Large{Namespaces: 400, PodsPerNamespace: 10, Nodes: 20, ANPs: 60, RulesPerANP: 12,
	NetworkPolicies: 4000, BANPRules: 10, Seed: 42}

// TestDigests prints the digests of the presets with -digests (go test -run TestDigests -digests -v); a
// change meant to keep the output as it was must leave them as they were.
func TestDigests(t *testing.T) {
	if !*printDigests {
		t.Skip("run with -digests to print the digests")
	}
	for _, c := range []struct {
		name string
		l    synth.Large
	}{{"W1", synth.W1}, {"W2", synth.W2}, {"AntreaScale", synth.AntreaScale}, {"Mixed", mixedPreset}} {
		s, err := c.l.Generate()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s %s", c.name, digest(t, Translate(s, Options{})))
	}
	rng := rand.New(rand.NewSource(1))
	h := sha256.New()
	for range 200 {
		_, _ = fmt.Fprintln(h, digest(t, Translate(synth.Random(rng), Options{})))
	}
	t.Logf("Random %s", hex.EncodeToString(h.Sum(nil)))
}

// TestEmitDoesNotDependOnWorkers translates clusters with one goroutine and one chunk, and with several
// goroutines and small chunks, and wants the same result.
func TestEmitDoesNotDependOnWorkers(t *testing.T) {
	small := synth.Large{Namespaces: 60, PodsPerNamespace: 5, Nodes: 4, ANPs: 8, RulesPerANP: 6,
		NetworkPolicies: 700, BANPRules: 6, Seed: 3}
	snaps := []*cluster.Snapshot{}
	for _, l := range []synth.Large{small, {Namespaces: 500, PodsPerNamespace: 2, Nodes: 10, NetworkPolicies: 1500,
		Seed: 9}} {
		s, err := l.Generate()
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, s)
	}
	rng := rand.New(rand.NewSource(5))
	for range 30 {
		snaps = append(snaps, synth.Random(rng))
	}
	workers, chunk := emitWorkers, emitChunk
	defer func() { emitWorkers, emitChunk = workers, chunk }()
	for i, s := range snaps {
		emitWorkers, emitChunk = func() int { return 1 }, 1<<30
		serial := digest(t, Translate(s, Options{}))
		emitWorkers, emitChunk = func() int { return 4 }, 7
		if parallel := digest(t, Translate(s, Options{})); parallel != serial {
			t.Errorf("cluster %d: 4 workers in chunks of 7 give %s, one goroutine %s", i, parallel, serial)
		}
	}
}
