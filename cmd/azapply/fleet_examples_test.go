package main

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/azapply/azapply/arm"
	"github.com/azapply/azapply/fleet"
)

// readYAML parses one YAML document into generic values (numbers as
// float64), as readWorkflow does for the workflows.
func readYAML(t *testing.T, file string) map[string]any {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ctyyaml.Standard.Unmarshal(src, cty.DynamicPseudoType)
	if err != nil {
		t.Fatalf("%s is not valid YAML: %v", file, err)
	}
	raw, err := ctyjson.Marshal(v, cty.DynamicPseudoType)
	if err != nil {
		t.Fatal(err)
	}
	var wrapped struct{ Value map[string]any }
	if err := json.Unmarshal(raw, &wrapped); err != nil {
		t.Fatal(err)
	}
	return wrapped.Value
}

// shardCount reads the N of --shard X/N on an azapply command line.
func shardCount(t *testing.T, line string) int {
	t.Helper()
	words := shellWords(line)
	for i, w := range words {
		if w == "--shard" && i+1 < len(words) {
			_, n, ok := strings.Cut(words[i+1], "/")
			var count int
			if _, err := fmt.Sscan(n, &count); ok && err == nil {
				return count
			}
			return -1
		}
	}
	t.Fatalf("%q has no --shard I/N", line)
	return 0
}

func TestWorkflowFleetDrift(t *testing.T) {
	w := readWorkflow(t, "fleet-drift.yml")
	checkOIDC(t, w)
	if crons, _ := get(w.triggers(), "schedule").([]any); len(crons) == 0 {
		t.Error("the fleet drift workflow has no schedule")
	}
	var shards []any
	for _, j := range get(w.doc, "jobs").(map[string]any) {
		if s, ok := get(j, "strategy", "matrix", "shard").([]any); ok {
			shards = s
		}
	}
	s := w.findRun(t, "azapply fleet drift", "--shard", "--detailed-exitcode", "--lock=false")
	if !strings.Contains(s.run, "${{ matrix.shard }}/${SHARDS}") {
		t.Errorf("%q does not take its shard from the matrix", s.run)
	}
	var total int
	if _, err := fmt.Sscan(str(get(w.doc, "env", "SHARDS")), &total); err != nil || total < 2 {
		t.Fatalf("env.SHARDS = %v, want a number of shards", get(w.doc, "env", "SHARDS"))
	}
	// The matrix lists every shard 0..SHARDS-1 once: a missing one would
	// leave its stacks unchecked, with nothing to say so.
	if len(shards) != total {
		t.Errorf("the matrix has %d shards, SHARDS is %d", len(shards), total)
	}
	for i, v := range shards {
		if f, ok := v.(float64); !ok || int(f) != i {
			t.Errorf("matrix.shard[%d] = %v, want %d", i, v, i)
		}
	}
	w.checkOnDrift(t, "drift.md")
}

// TestKubernetesFleetDrift checks the CronJob of examples/kubernetes: an
// Indexed Job whose pods each run one shard of the fleet with the image
// the Dockerfile builds, signed in by workload identity, with a command
// line azapply accepts.
func TestKubernetesFleetDrift(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "kubernetes")
	cj := readYAML(t, filepath.Join(dir, "fleet-drift-cronjob.yaml"))
	if cj["kind"] != "CronJob" || cj["apiVersion"] != "batch/v1" || str(get(cj, "spec", "schedule")) == "" {
		t.Fatalf("not a scheduled batch/v1 CronJob: kind %v, apiVersion %v", cj["kind"], cj["apiVersion"])
	}
	job := get(cj, "spec", "jobTemplate", "spec")
	if get(job, "completionMode") != "Indexed" {
		t.Errorf("completionMode = %v, want Indexed", get(job, "completionMode"))
	}
	completions, _ := get(job, "completions").(float64)
	pod := get(job, "template", "spec")
	if get(pod, "restartPolicy") != "Never" {
		t.Errorf("restartPolicy = %v, want Never (an exit 2 is a finding, not a crash to restart)", get(pod, "restartPolicy"))
	}
	if get(job, "template", "metadata", "labels", "azure.workload.identity/use") != "true" {
		t.Error("the pods lack the label azure.workload.identity/use: \"true\"")
	}
	containers, _ := get(pod, "containers").([]any)
	if len(containers) != 1 {
		t.Fatalf("%d containers, want 1", len(containers))
	}
	c := containers[0]
	if img := str(get(c, "image")); !strings.Contains(img, "azapply") {
		t.Errorf("image %q is not azapply's", img)
	}
	if get(c, "command") != nil {
		t.Error("the container overrides the image's entrypoint (/azapply)")
	}
	var words []string
	for _, a := range get(c, "args").([]any) {
		words = append(words, "'"+str(a)+"'")
	}
	line := "azapply " + strings.Join(words, " ")
	if err := checkCommandLine(line); err != nil {
		t.Error(err)
	}
	if !strings.Contains(line, "'fleet' 'drift'") || !strings.Contains(line, "'--shard' '$(JOB_COMPLETION_INDEX)/") {
		t.Errorf("the pods do not run fleet drift on their index's shard: %s", line)
	}
	if n := shardCount(t, line); n != int(completions) {
		t.Errorf("--shard I/%d but the Job has %v completions: some shards would never run", n, completions)
	}
	auth := ""
	envs, _ := get(c, "env").([]any)
	for _, e := range envs {
		if get(e, "name") == "AZAPPLY_AUTH" {
			auth = str(get(e, "value"))
		}
	}
	if auth != arm.AuthWorkloadIdentity {
		t.Errorf("AZAPPLY_AUTH = %q, want %q", auth, arm.AuthWorkloadIdentity)
	}
	sa := readYAML(t, filepath.Join(dir, "serviceaccount.yaml"))
	if get(sa, "metadata", "name") != get(pod, "serviceAccountName") || str(get(sa, "metadata", "annotations", "azure.workload.identity/client-id")) == "" {
		t.Errorf("the service account %v (client-id %v) is not the pods' %v", get(sa, "metadata", "name"),
			get(sa, "metadata", "annotations", "azure.workload.identity/client-id"), get(pod, "serviceAccountName"))
	}
	// The shard is a valid one for every index the Job gives.
	for i := range int(completions) {
		if _, err := fleet.ParseShard(fmt.Sprintf("%d/%d", i, int(completions))); err != nil {
			t.Error(err)
		}
	}
}

// dockerfile is the instructions of a Dockerfile, continuation lines
// joined.
func dockerfile(t *testing.T, path string) [][2]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var out [][2]string
	var cur string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if cur == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		cur += line
		op, args, _ := strings.Cut(cur, " ")
		out = append(out, [2]string{strings.ToUpper(op), strings.TrimSpace(args)})
		cur = ""
	}
	return out
}

// TestDockerfileBuildsAStaticBinary checks the Dockerfile at the root: a
// build stage running a CGO_ENABLED=0 go build of ./cmd/azapply, a final
// stage on distroless static or scratch whose entrypoint is that binary,
// and (except with -short) that the build command it runs gives a binary
// with no dynamic loader and no shared libraries.
func TestDockerfileBuildsAStaticBinary(t *testing.T) {
	root := filepath.Join("..", "..")
	ins := dockerfile(t, filepath.Join(root, "Dockerfile"))
	var build, out, lastFrom, entry, copied string
	for _, in := range ins {
		switch in[0] {
		case "FROM":
			lastFrom = in[1]
		case "RUN":
			if strings.Contains(in[1], "go build") {
				build = in[1]
			}
		case "COPY":
			if strings.HasPrefix(in[1], "--from=") {
				copied = in[1]
			}
		case "ENTRYPOINT":
			entry = in[1]
		}
	}
	if !strings.HasPrefix(build, "CGO_ENABLED=0 go build") || !strings.HasSuffix(build, "./cmd/azapply") {
		t.Fatalf("the build step %q is not a CGO_ENABLED=0 go build of ./cmd/azapply", build)
	}
	if m := regexp.MustCompile(`-o (\S+)`).FindStringSubmatch(build); m != nil {
		out = m[1]
	}
	if !strings.HasPrefix(lastFrom, "gcr.io/distroless/static") && lastFrom != "scratch" {
		t.Errorf("the final stage is FROM %s, want distroless static or scratch", lastFrom)
	}
	if f := strings.Fields(copied); len(f) != 3 || f[1] != out || f[2] != "/azapply" {
		t.Errorf("the final stage copies %q, want the built %s to /azapply", copied, out)
	}
	if entry != `["/azapply"]` {
		t.Errorf("ENTRYPOINT %s, want [\"/azapply\"]", entry)
	}
	if testing.Short() || runtime.GOOS != "linux" {
		return
	}
	bin := filepath.Join(t.TempDir(), "azapply")
	// The shell's words: -ldflags "..." is one.
	words := shellWords(strings.ReplaceAll(strings.TrimPrefix(build, "CGO_ENABLED=0 "), "${VERSION}", "test"))
	for i, w := range words {
		if w == out {
			words[i] = bin
		}
	}
	args := words[1:]
	cmd := exec.Command(words[0], args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, b)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary names a dynamic loader (PT_INTERP): it is not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	v, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.Contains(string(v), "test") {
		t.Errorf("the built binary's version: %q, %v", v, err)
	}
}
