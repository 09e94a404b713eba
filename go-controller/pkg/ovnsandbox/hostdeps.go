package ovnsandbox

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// ensureHostTool makes sure a host tool exists, running test/ovn/host-deps.sh when it does not.
func ensureHostTool(ctx context.Context, name string) error {
	if _, err := exec.LookPath(name); err == nil {
		return nil
	}
	repo, err := RepoRoot()
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, "bash", filepath.Join(repo, "test", "ovn", "host-deps.sh")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s is missing and test/ovn/host-deps.sh failed: %w: %s", name, err,
			strings.TrimSpace(string(out)))
	}
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Errorf("%s still missing after test/ovn/host-deps.sh: %w", name, err)
	}
	return nil
}
