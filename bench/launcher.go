package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// The peak RSS that wait4 reports for a child on Linux is at least that of
// the process it was forked from: exec keeps, as the child's high-water
// mark, that of the memory it replaces, which (with Go's vfork) is the
// parent's. The bench holds the emulator's world, hundreds of MB at
// N = 10,000, so every azapply run seemed to use at least that. A launcher,
// a copy of the bench started before the world exists, forks the azapply
// runs instead: its own small footprint is their floor.

// launcherEnv marks the bench process started as the launcher.
const launcherEnv = "AZAPPLY_BENCH_LAUNCHER"

// launchRequest is a command for the launcher to run.
type launchRequest struct {
	Path string   `json:"path"`
	Args []string `json:"args"`
	Env  []string `json:"env"`
	// Log receives the command's standard output and error.
	Log string `json:"log"`
}

// launchResult is how it went.
type launchResult struct {
	Wall     time.Duration `json:"wall"`
	CPU      time.Duration `json:"cpu"`
	RSS      int64         `json:"rss"`
	ExitCode int           `json:"exit_code"`
	Err      string        `json:"err,omitempty"`
}

// launcher talks to the launcher process.
type launcher struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	in  io.WriteCloser
	out *json.Decoder
}

// run runs req in the launcher and waits for it to end.
func (l *launcher) run(req launchRequest) (launchResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := json.NewEncoder(l.in).Encode(req); err != nil {
		return launchResult{}, fmt.Errorf("asking the launcher to run %s: %w", req.Path, err)
	}
	var res launchResult
	if err := l.out.Decode(&res); err != nil {
		return launchResult{}, fmt.Errorf("the launcher running %s: %w", req.Path, err)
	}
	return res, nil
}

// close ends the launcher.
func (l *launcher) close() {
	_ = l.in.Close()
	_ = l.cmd.Wait()
}

// isLauncher reports whether this process was started as the launcher.
func isLauncher() bool { return os.Getenv(launcherEnv) == "1" }

// serveLaunches is the launcher: it runs each request read from in, one
// at a time, and writes each result to out, until in ends.
func serveLaunches(in io.Reader, out io.Writer) {
	dec, enc := json.NewDecoder(in), json.NewEncoder(out)
	for {
		var req launchRequest
		if err := dec.Decode(&req); err != nil {
			return
		}
		res, err := runHere(context.Background(), req)
		if err != nil {
			res.Err = err.Error()
		}
		_ = enc.Encode(res)
	}
}
