package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
)

// profilePhase starts a CPU profile and an execution trace of one phase in dir (name.pprof, name.trace)
// and returns what stops them; with dir empty it does nothing. The trace shows what the CPU profile
// cannot: the time the controller spends waiting on NB.
func profilePhase(dir, name string) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	cpu, err := os.Create(filepath.Join(dir, name+".pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		_ = cpu.Close()
		return nil, fmt.Errorf("%s profile: %w", name, err)
	}
	tr, err := os.Create(filepath.Join(dir, name+".trace"))
	if err == nil {
		err = trace.Start(tr)
	}
	if err != nil {
		pprof.StopCPUProfile()
		_ = cpu.Close()
		return nil, fmt.Errorf("%s trace: %w", name, err)
	}
	return func() {
		trace.Stop()
		pprof.StopCPUProfile()
		_ = tr.Close()
		_ = cpu.Close()
	}, nil
}
