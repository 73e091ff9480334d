package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/azapply/azapply/config"
)

// SaveFile writes the plan to path (plan --out) atomically, readable by
// its owner only: a half-written plan file never replaces a whole one.
func SaveFile(path string, p *Plan) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing the plan file: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if err := WriteSaved(tmp, p); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the plan file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the plan file: %w", err)
	}
	return nil
}

// ReadFile reads a plan file written by SaveFile.
func ReadFile(path string) (*SavedPlan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening the plan file: %w", err)
	}
	defer func() { _ = f.Close() }()
	return ReadSaved(f, path)
}

// CheckConfig is CheckBefore with the resource blocks cfg declares: apply
// FILE calls it once the configuration is loaded and the state (of
// lineage) read, before anything is sent. A block with for_each or count
// may have no instance in the plan, and a targeted plan leaves blocks out
// on purpose.
func (s *SavedPlan) CheckConfig(cfg *config.Config, lineage string) error {
	var declared []string
	expanded := map[string]bool{}
	for _, r := range cfg.Resources {
		declared = append(declared, r.Address())
		expanded[r.Address()] = r.ForEach != nil || r.Count != nil || len(s.Plan.Targets) > 0
	}
	return s.CheckBefore(lineage, declared, expanded)
}

// PreflightError is the error of a plan whose preflight found errors:
// they are in the plan shown, and said again in the error; nothing is
// applied or saved. It is nil when the preflight found none.
func (p *Plan) PreflightError() error {
	if !p.PreflightFailed() {
		return nil
	}
	var errs []string
	for _, c := range p.Changes {
		for _, e := range c.PreflightErrors {
			errs = append(errs, c.Address+": "+e.String())
		}
	}
	for _, e := range p.Preflight.Errors {
		errs = append(errs, e.String())
	}
	return fmt.Errorf("preflight: ARM's deployment validation refused what this plan would send, so nothing was applied or saved:\n  - %s", strings.Join(errs, "\n  - "))
}

// HasForget reports whether the plan forgets a resource or moves one:
// changes of the state alone, which apply makes without a request.
func (p *Plan) HasForget() bool {
	for _, c := range p.Changes {
		if c.Action == Forget || c.MovedFrom != "" {
			return true
		}
	}
	return false
}
