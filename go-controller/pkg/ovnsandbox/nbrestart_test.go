package ovnsandbox

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestRestartNBKeepsTheDatabase(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := startBed(t, ctx)
	if _, err := b.NBCtl(ctx, "ls-add", "before"); err != nil {
		t.Fatal(err)
	}
	if err := b.StopNB(); err != nil {
		t.Fatalf("StopNB: %v", err)
	}
	if out, err := b.NBCtl(ctx, "--timeout=1", "ls-list"); err == nil {
		t.Fatalf("NB answers while stopped: %q", out)
	}
	if err := b.StartNB(ctx); err != nil {
		t.Fatalf("StartNB: %v", err)
	}
	if err := b.StartNB(ctx); err == nil {
		t.Error("StartNB on a running NB succeeded")
	}
	out, err := b.NBCtl(ctx, "ls-list")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "(before)") {
		t.Errorf("the switch written before the restart is gone: %q", out)
	}
	if err := b.RestartNB(ctx); err != nil {
		t.Fatalf("RestartNB: %v", err)
	}
	// northd reconnects too: a sync through SB works again.
	if err := b.WaitNorthd(ctx); err != nil {
		t.Fatalf("northd after the restart: %v", err)
	}
}
