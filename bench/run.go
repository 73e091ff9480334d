package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// measured is one run of the azapply binary.
type measured struct {
	Wall time.Duration
	// CPU is user plus system time of the azapply process.
	CPU time.Duration
	// RSS is the process's peak resident set size, in bytes.
	RSS int64
	// ExitCode is azapply's exit code (2 is "changes present" with
	// --detailed-exitcode).
	ExitCode int
}

// buildBinary builds azapply into dir, as a user would install it.
func buildBinary(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "azapply")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/azapply/azapply/cmd/azapply")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build github.com/azapply/azapply/cmd/azapply (run the benchmark inside the module): %w\n%s", err, stderr.String())
	}
	return bin, nil
}

// binary is the azapply binary built for the bench, and the launcher that
// runs it (nil: the bench runs it itself).
type binary struct {
	path     string
	launcher *launcher
}

// runAzapply runs the binary in stackDir and reads its resource usage. Its
// environment is only what it needs: the emulator's CA and the client
// secret its token endpoint accepts, so no AZURE_* variable of the machine
// leaks in and nothing leaves loopback. Its output goes to logFile.
// With profileDir set, azapply writes its CPU and heap profiles there,
// named after logFile, and the heap profile of its peak (NAME.peak).
func runAzapply(ctx context.Context, bin binary, stackDir, caFile, logFile, profileDir string, args ...string) (measured, error) {
	req := launchRequest{Path: bin.path, Args: append(args, "--chdir", stackDir, "--no-color"), Log: logFile, Env: azapplyEnv(stackDir, caFile)}
	if profileDir != "" {
		name := filepath.Join(profileDir, fmt.Sprintf("%s-%s", filepath.Base(stackDir), strings.TrimSuffix(filepath.Base(logFile), ".log")))
		req.Env = append(req.Env, "AZAPPLY_CPUPROFILE="+name+".cpu", "AZAPPLY_MEMPROFILE="+name+".mem", "AZAPPLY_MEMPROFILE_PEAK="+name+".peak")
	}
	var res launchResult
	var err error
	if bin.launcher != nil {
		res, err = bin.launcher.run(req)
	} else {
		res, err = runHere(ctx, req)
	}
	if err != nil {
		return measured{}, err
	}
	if res.Err != "" {
		return measured{Wall: res.Wall}, fmt.Errorf("azapply %v: %s", args, res.Err)
	}
	return measured{Wall: res.Wall, CPU: res.CPU, RSS: res.RSS, ExitCode: res.ExitCode}, nil
}

// azapplyEnv is the environment of an azapply run (see runAzapply), with
// home as its HOME.
func azapplyEnv(home, caFile string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"TMPDIR=" + os.TempDir(),
		"SSL_CERT_FILE=" + caFile,
		// The emulator's token endpoint takes any secret; this one is not real.
		"AZURE_CLIENT_SECRET=bench-not-a-secret",
	}
	// The Go runtime's knobs pass through, to try GC settings.
	for _, k := range []string{"GOGC", "GOMEMLIMIT", "GODEBUG", "GOMAXPROCS"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// runHere runs req from this process (the launcher, or the bench where
// there is none).
func runHere(ctx context.Context, req launchRequest) (launchResult, error) {
	log, err := os.Create(req.Log)
	if err != nil {
		return launchResult{}, err
	}
	defer func() { _ = log.Close() }()
	cmd := exec.CommandContext(ctx, req.Path, req.Args...)
	cmd.Env = req.Env
	cmd.Stdout, cmd.Stderr = log, log
	// It dies with the process that runs it.
	dieWithParent(cmd)
	start := time.Now()
	err = cmd.Run()
	res := launchResult{Wall: time.Since(start)}
	if cmd.ProcessState == nil {
		res.Err = err.Error()
		return res, nil
	}
	res.ExitCode = cmd.ProcessState.ExitCode()
	res.CPU, res.RSS = usage(cmd.ProcessState)
	return res, nil
}
