package config

// This file finds a module's directory from its source: a local path, or a
// git repository that `azapply init` (InstallModules) fetched with the
// system git into .azapply/modules/ and pinned by commit in the lock file.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// ModuleLockFile is the file, in the root configuration's directory, that
// pins every git module source to a commit. Commit it with the
// configuration.
const ModuleLockFile = "azapply.modules.lock.json"

// modulesDir is where init puts the git modules, under the root directory.
var modulesDir = filepath.Join(".azapply", "modules")

// gitSource is a parsed git::URL//subdir?ref=REF source.
type gitSource struct {
	repo, subdir, ref string
}

func parseGitSource(src string) (gitSource, error) {
	rest, ok := strings.CutPrefix(src, "git::")
	if !ok {
		return gitSource{}, fmt.Errorf("%q is not a git source", src)
	}
	var g gitSource
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		q := rest[i+1:]
		rest = rest[:i]
		for _, kv := range strings.Split(q, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if k == "ref" {
				// git would read a ref that starts with "-" as an option.
				if strings.HasPrefix(v, "-") {
					return gitSource{}, fmt.Errorf("%q: ref %q starts with \"-\": name a tag, a branch or a commit", src, v)
				}
				g.ref = v
			} else {
				return gitSource{}, fmt.Errorf("%q: the only query argument of a git source is ref", src)
			}
		}
	}
	start := 0
	if i := strings.Index(rest, "://"); i >= 0 {
		start = i + 3
	}
	if i := strings.Index(rest[start:], "//"); i >= 0 {
		g.subdir = strings.Trim(rest[start+i+2:], "/")
		rest = rest[:start+i]
	}
	g.repo = rest
	if g.repo == "" || start == 0 {
		return gitSource{}, fmt.Errorf("%q: a git source is git::URL, such as git::https://host/org/repo.git//subdir?ref=v1.2.0", src)
	}
	if strings.Contains(g.subdir, "..") {
		return gitSource{}, fmt.Errorf("%q: the subdirectory may not climb out of the repository", src)
	}
	if err := checkGitURL(g.repo); err != nil {
		return gitSource{}, err
	}
	return g, nil
}

// checkGitURL refuses a repository URL that carries credentials, which the
// lock file (committed), init's output and git's errors would repeat, and
// the transports other than https, http, ssh, git and file. Its errors do
// not quote the URL.
func checkGitURL(repo string) error {
	u, err := url.Parse(repo)
	if err != nil {
		return fmt.Errorf("a git module's source is not a URL (%v): write it as git::https://host/org/repo.git", redactURLError(err))
	}
	switch u.Scheme {
	case "https", "http", "ssh", "git", "file":
	default:
		return fmt.Errorf("a git module's source uses the transport %q: azapply fetches modules over https, ssh, git or file only", u.Scheme)
	}
	if u.User != nil {
		_, hasPassword := u.User.Password()
		if hasPassword || u.Scheme == "https" || u.Scheme == "http" {
			return fmt.Errorf("a git module's source on %s carries credentials in its URL, which the lock file and the output would repeat: "+
				"remove them and give them to git instead (a credential helper, GIT_ASKPASS, or an SSH key)", u.Host)
		}
	}
	return nil
}

// redactURLError is url.Parse's error without the URL it quotes.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// key names the fetched copy of a repository at a ref.
func (g gitSource) key() string {
	sum := sha256.Sum256([]byte(g.repo + "?ref=" + g.ref))
	return hex.EncodeToString(sum[:8])
}

// lockID is how the lock file names a source: the repository and the ref.
func (g gitSource) lockID() string {
	if g.ref == "" {
		return g.repo
	}
	return g.repo + "?ref=" + g.ref
}

// ModuleLock is the lock file's content.
type ModuleLock struct {
	Version int `json:"version"`
	// Modules maps a git source (its repository and ref) to its commit.
	Modules map[string]LockedModule `json:"modules"`
}

// LockedModule is one pinned git source.
type LockedModule struct {
	Commit string `json:"commit"`
}

func readModuleLock(root string) (*ModuleLock, error) {
	b, err := os.ReadFile(filepath.Join(root, ModuleLockFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &ModuleLock{Version: 1, Modules: map[string]LockedModule{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var l ModuleLock
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("%s is not a module lock file: %w. Delete it and run azapply init", ModuleLockFile, err)
	}
	if l.Modules == nil {
		l.Modules = map[string]LockedModule{}
	}
	return &l, nil
}

func writeModuleLock(root string, l *ModuleLock) error {
	b, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(root, ModuleLockFile), append(b, '\n'), 0o644)
}

// fetchedCommit is the commit the copy of g that init fetched has checked
// out (git rev-parse HEAD of the copy itself), "" if there is no copy.
// The copy's own HEAD is asked, not a note of what init checked out: a
// copy moved to another commit since is no longer the pinned one. The git
// directory is named, so that a copy without one is never taken for the
// repository around it.
func fetchedCommit(ctx context.Context, root string, g gitSource) string {
	gitDir := filepath.Join(root, modulesDir, g.key(), ".git")
	if _, err := os.Stat(gitDir); err != nil {
		return ""
	}
	head, err := runGit(ctx, "", "--git-dir="+gitDir, "rev-parse", "--verify", "--quiet", "HEAD")
	if err != nil {
		return ""
	}
	return head
}

// resolveSource finds the directory of a module call's source.
func (c *Config) resolveSource(call *ModuleCall) (string, hcl.Diagnostics) {
	bad := func(summary, detail string) (string, hcl.Diagnostics) {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: call.DeclRange.Ptr()}}
	}
	src := call.Source
	switch {
	case strings.HasPrefix(src, "./"), strings.HasPrefix(src, "../"):
		dir := filepath.Join(c.scopeDir(call.Scope), filepath.FromSlash(src))
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return bad("Module directory not found", fmt.Sprintf("module %q: source %q is %s, which is not a directory. A local source is a path relative to the directory of the file that calls it.", call.Name, src, dir))
		}
		return dir, nil
	case strings.HasPrefix(src, "git::"):
		g, err := parseGitSource(src)
		if err != nil {
			return bad("Invalid module source", err.Error()+".")
		}
		// Without git, the copy's commit cannot be read: say so, rather
		// than that the module has not been fetched.
		if gitMissing() {
			return "", hcl.Diagnostics{gitMissingDiag(call.Name, src, call.DeclRange)}
		}
		lock, err := readModuleLock(c.Dir)
		if err != nil {
			return bad("Cannot read the module lock file", err.Error()+".")
		}
		locked, ok := lock.Modules[g.lockID()]
		if !ok {
			return bad("Module not installed", fmt.Sprintf("module %q: %s is not in %s. Run azapply init to fetch it and pin its commit.", call.Name, g.lockID(), ModuleLockFile))
		}
		// Loading takes no context: git answers rev-parse from local files.
		if got := fetchedCommit(context.Background(), c.Dir, g); got != locked.Commit {
			why := "has not been fetched here"
			if got != "" {
				why = fmt.Sprintf("was fetched at commit %s, but %s pins %s", got, ModuleLockFile, locked.Commit)
			}
			return bad("Module not installed", fmt.Sprintf("module %q: %s %s. Run azapply init.", call.Name, g.lockID(), why))
		}
		dir := filepath.Join(c.Dir, modulesDir, g.key(), filepath.FromSlash(g.subdir))
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return bad("Module directory not found", fmt.Sprintf("module %q: the repository %s has no directory %q at commit %s.", call.Name, g.repo, g.subdir, locked.Commit))
		}
		return dir, nil
	}
	return bad("Unsupported module source", fmt.Sprintf("module %q: source %q is neither a local path (starting with ./ or ../) nor a git source (git::https://host/org/repo.git//subdir?ref=v1.2.0).", call.Name, src))
}

// InstallModules fetches every git module that the configuration in root
// uses (directly or through other modules) with the system git, into
// .azapply/modules/, at the commit the lock file pins or, for a source not
// pinned yet, at its ref's commit, which it adds to the lock file. It
// returns the sources it fetched. Local modules need nothing. Without git
// on PATH, the error is hcl.Diagnostics naming the first module block
// with a git source.
func InstallModules(ctx context.Context, root string) ([]string, error) {
	lock, err := readModuleLock(root)
	if err != nil {
		return nil, err
	}
	var fetched []string
	seen := map[string]bool{}
	used := map[string]bool{}
	var walk func(dir string, depth int) error
	walk = func(dir string, depth int) error {
		if depth > maxModuleDepth || seen[dir] {
			return nil
		}
		seen[dir] = true
		sources, err := moduleSources(dir)
		if err != nil {
			return err
		}
		for _, ms := range sources {
			src := ms.source
			switch {
			case strings.HasPrefix(src, "./"), strings.HasPrefix(src, "../"):
				if err := walk(filepath.Join(dir, filepath.FromSlash(src)), depth+1); err != nil {
					return err
				}
			case strings.HasPrefix(src, "git::"):
				g, err := parseGitSource(src)
				if err != nil {
					return err
				}
				if gitMissing() {
					return hcl.Diagnostics{gitMissingDiag(ms.name, src, ms.decl)}
				}
				used[g.lockID()] = true
				locked, pinned := lock.Modules[g.lockID()]
				if !pinned || fetchedCommit(ctx, root, g) != locked.Commit {
					commit, err := fetchGit(ctx, root, g, locked.Commit)
					if err != nil {
						return err
					}
					lock.Modules[g.lockID()] = LockedModule{Commit: commit}
					fetched = append(fetched, g.lockID()+" at "+commit)
				}
				if err := walk(filepath.Join(root, modulesDir, g.key(), filepath.FromSlash(g.subdir)), depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(root, 0); err != nil {
		return fetched, err
	}
	for id := range lock.Modules {
		if !used[id] {
			delete(lock.Modules, id)
		}
	}
	if len(lock.Modules) > 0 || len(fetched) > 0 {
		if err := writeModuleLock(root, lock); err != nil {
			return fetched, err
		}
	}
	sort.Strings(fetched)
	return fetched, nil
}

// moduleSource is the source of one module block, with the block's name
// and where it is.
type moduleSource struct {
	name, source string
	decl         hcl.Range
}

// moduleSources are the sources of the module blocks of dir's files.
func moduleSources(dir string) ([]moduleSource, error) {
	names, _, err := configFiles(dir)
	if err != nil {
		return nil, err
	}
	p := hclparse.NewParser()
	var out []moduleSource
	for _, name := range names {
		var f *hcl.File
		var diags hcl.Diagnostics
		if strings.HasSuffix(name, ".json") {
			f, diags = p.ParseJSONFile(name)
		} else {
			f, diags = p.ParseHCLFile(name)
		}
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s", diags.Error())
		}
		content, _, _ := f.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "module", LabelNames: []string{"name"}}}})
		for _, b := range content.Blocks {
			attrs, _ := b.Body.JustAttributes()
			a, ok := attrs["source"]
			if !ok {
				continue
			}
			v, d := a.Expr.Value(nil)
			if d.HasErrors() || !v.IsKnown() || v.IsNull() {
				continue
			}
			if s, ok := stringOf(v); ok {
				out = append(out, moduleSource{name: b.Labels[0], source: s, decl: b.DefRange})
			}
		}
	}
	return out, nil
}

// fetchGit clones g into .azapply/modules/KEY at commit (or, when commit
// is "", at g's ref) and returns the commit it checked out.
func fetchGit(ctx context.Context, root string, g gitSource, commit string) (string, error) {
	base := filepath.Join(root, modulesDir)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	dst := filepath.Join(base, g.key())
	tmp, err := os.MkdirTemp(base, g.key()+".tmp-")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	if _, err := runGit(ctx, "", "clone", "--quiet", "--", g.repo, tmp); err != nil {
		return "", fmt.Errorf("fetching module %s: %w", g.lockID(), err)
	}
	want := commit
	if want == "" {
		want = g.ref
	}
	if want != "" {
		if _, err := runGit(ctx, tmp, "-c", "advice.detachedHead=false", "checkout", "--quiet", want); err != nil {
			return "", fmt.Errorf("fetching module %s: checking out %s: %w", g.lockID(), want, err)
		}
	}
	got, err := runGit(ctx, tmp, "rev-parse", "HEAD")
	if err != nil {
		return "", fmt.Errorf("fetching module %s: %w", g.lockID(), err)
	}
	if commit != "" && got != commit {
		return "", fmt.Errorf("module %s: %s pins commit %s, but the repository gave %s", g.lockID(), ModuleLockFile, commit, got)
	}
	if err := os.RemoveAll(dst); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", err
	}
	return got, nil
}

// runGit runs the system git and returns its trimmed standard output.
func runGit(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("git is not installed: install git to use git module sources")
		}
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

func stringOf(v cty.Value) (string, bool) {
	if v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// LocalModuleDirs lists the directories of the local modules that the
// configuration in dir calls, directly or through other local modules, in
// the order found (for fmt). Git modules are left out: they are fetched
// copies of someone else's files.
func LocalModuleDirs(dir string) ([]string, error) {
	var out []string
	seen := map[string]bool{filepath.Clean(dir): true}
	var walk func(d string, depth int) error
	walk = func(d string, depth int) error {
		if depth > maxModuleDepth {
			return nil
		}
		sources, err := moduleSources(d)
		if err != nil {
			return err
		}
		for _, ms := range sources {
			src := ms.source
			if !strings.HasPrefix(src, "./") && !strings.HasPrefix(src, "../") {
				continue
			}
			m := filepath.Clean(filepath.Join(d, filepath.FromSlash(src)))
			if seen[m] {
				continue
			}
			seen[m] = true
			out = append(out, m)
			if err := walk(m, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(dir, 0)
}
