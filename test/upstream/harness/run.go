package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Run is what a harness writes about its run of the suite, beside the upstream report: what it asked
// for and what it saw on the wire. The verdict command reads it.
type Run struct {
	Suite    string   `json:"suite"` // e.g. sigs.k8s.io/network-policy-api v0.1.7
	Profiles []string `json:"profiles"`
	Features []string `json:"features"`
	Skip     []string `json:"skip"`
	// Options: the suite options the harness set (timeouts, host-network ports), as text.
	Options  map[string]string `json:"options,omitempty"`
	Started  time.Time         `json:"started"`
	WallTime Duration          `json:"wallTime"` // setup, every test, and the report
	Events   []Event           `json:"events"`
}

// WriteRun writes run as JSON to path.
func WriteRun(path string, run Run) error {
	b, err := json.MarshalIndent(run, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// ReadRun reads what WriteRun wrote.
func ReadRun(path string) (Run, error) {
	var run Run
	b, err := os.ReadFile(path)
	if err != nil {
		return run, err
	}
	if err := json.Unmarshal(b, &run); err != nil {
		return run, fmt.Errorf("%s: %w", path, err)
	}
	return run, nil
}

// UnmarshalJSON reads a quoted string in time.Duration's notation, as MarshalJSON writes it.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}
