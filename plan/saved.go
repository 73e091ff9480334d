package plan

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/azapply/azapply/arm/armid"
	"github.com/azapply/azapply/body"
	"github.com/azapply/azapply/config"
)

// SavedFormatVersion is the version of plan files this build writes. Version
// 2 added the checksum and the output changes; a version 1 file is refused.
const SavedFormatVersion = 2

// savedFile is a plan file (plan --out). It holds what show renders and
// what apply checks, never a secret in clear: sensitive values are markers,
// and the declared and live bodies are compared through salted hashes (as
// the state keeps sensitive values).
type savedFile struct {
	FormatVersion int           `json:"format_version"`
	Lineage       string        `json:"lineage"`
	Serial        int64         `json:"serial"`
	RefreshOnly   bool          `json:"refresh_only,omitempty"`
	Targets       []string      `json:"targets,omitempty"`
	Salt          string        `json:"salt"`
	Changes       []savedChange `json:"changes"`
	Drift         []savedDrift  `json:"drift,omitempty"`
	OutputChanges []savedOutput `json:"output_changes,omitempty"`
	// Checksum is the HMAC-SHA256, keyed with Salt, of the file's content
	// written without it: show and apply refuse a file whose content no
	// longer matches (an edited value, an edited api_version). It detects
	// edits, it is no signature: apply also checks that the file shows what
	// a fresh plan would do (see Check).
	Checksum string `json:"checksum"`
}

type savedOutput struct {
	Name      string `json:"name"`
	Action    Action `json:"action"`
	Before    any    `json:"before,omitempty"`
	After     any    `json:"after,omitempty"`
	Sensitive bool   `json:"sensitive,omitempty"`
}

type savedChange struct {
	Address         string          `json:"address"`
	ID              string          `json:"id"`
	APIVersion      string          `json:"api_version"`
	Action          Action          `json:"action"`
	Import          bool            `json:"import,omitempty"`
	PriorID         string          `json:"prior_id,omitempty"`
	MovedFrom       string          `json:"moved_from,omitempty"`
	CreateFirst     bool            `json:"create_before_destroy,omitempty"`
	DeletedWith     string          `json:"deleted_with,omitempty"`
	DependsOn       []string        `json:"depends_on,omitempty"`
	Sensitive       []string        `json:"sensitive,omitempty"`
	ReplaceReason   string          `json:"replace_reason,omitempty"`
	Locks           []Lock          `json:"locks,omitempty"`
	SoftDelete      *SoftDeleteNote `json:"soft_delete,omitempty"`
	Desired         any             `json:"desired,omitempty"`
	Request         *savedReq       `json:"request,omitempty"`
	Paths           []savedPath     `json:"paths,omitempty"`
	KeptDifferently []savedPath     `json:"kept_differently,omitempty"`
	// Contents is what a resource group the plan deletes held.
	Contents *Contents `json:"contents,omitempty"`
	// DesiredHash and LiveHash are salted hashes of the declared body and of
	// the live body without server bookkeeping ("" when absent).
	DesiredHash string `json:"desired_hash"`
	LiveHash    string `json:"live_hash"`
}

// savedReq is a change's request, redacted, for show.
type savedReq struct {
	Method string `json:"method"`
	Body   any    `json:"body"`
}

type savedPath struct {
	Path          string `json:"path"`
	Before        any    `json:"before,omitempty"`
	After         any    `json:"after,omitempty"`
	BeforeAbsent  bool   `json:"before_absent,omitempty"`
	AfterAbsent   bool   `json:"after_absent,omitempty"`
	Sensitive     bool   `json:"sensitive,omitempty"`
	ForcesReplace bool   `json:"forces_replacement,omitempty"`
	ReplaceReason string `json:"replace_reason,omitempty"`
	Declared      bool   `json:"declared,omitempty"`
	NotReturned   bool   `json:"not_returned,omitempty"`
	Dropped       bool   `json:"dropped,omitempty"`
}

type savedDrift struct {
	Address  string      `json:"address"`
	ID       string      `json:"id"`
	Deleted  bool        `json:"deleted,omitempty"`
	Paths    []savedPath `json:"paths,omitempty"`
	LiveHash string      `json:"live_hash"`
}

// Markers for the values JSON has no word for.
const (
	unknownMarker      = "__azapply_unknown__"
	sensitiveMarkerKey = "__azapply_sensitive__"
)

// WriteSaved writes p as a plan file.
func WriteSaved(w io.Writer, p *Plan) error {
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return fmt.Errorf("making the plan file's salt: %w", err)
	}
	f := savedFile{FormatVersion: SavedFormatVersion, Lineage: p.Lineage, Serial: p.Serial, RefreshOnly: p.RefreshOnly, Targets: p.Targets, Salt: hex.EncodeToString(salt)}
	for _, c := range p.Changes {
		sc := savedChange{
			Address: c.Address, ID: c.ID, APIVersion: c.APIVersion, Action: c.Action, Import: c.Import,
			PriorID: c.PriorID, MovedFrom: c.MovedFrom, CreateFirst: c.CreateBeforeDestroy, DeletedWith: c.DeletedWith, DependsOn: c.DependsOn, Sensitive: c.Sensitive,
			ReplaceReason: c.ReplaceReason, Locks: c.Locks, SoftDelete: c.SoftDelete,
			Paths: savePaths(c.Paths), KeptDifferently: savePaths(c.KeptDifferently), Contents: c.Contents,
			DesiredHash: desiredHash(f.Salt, c), LiveHash: liveHash(f.Salt, c.Live),
		}
		if c.Desired != nil {
			sc.Desired = encodeValue(redactedBody(c))
		}
		if c.Request != nil {
			sc.Request = &savedReq{Method: c.Request.Method, Body: encodeValue(redactedRequest(c))}
		}
		f.Changes = append(f.Changes, sc)
	}
	for _, d := range p.Drift {
		f.Drift = append(f.Drift, savedDrift{Address: d.Address, ID: d.ID, Deleted: d.Deleted, Paths: savePaths(d.Paths), LiveHash: liveHash(f.Salt, d.Live)})
	}
	f.OutputChanges = saveOutputs(p.OutputChanges)
	sum, err := f.checksum()
	if err != nil {
		return fmt.Errorf("writing the plan file: %w", err)
	}
	f.Checksum = sum
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("writing the plan file: %w", err)
	}
	return nil
}

// SavedPlan is a plan read back from a plan file.
type SavedPlan struct {
	// Plan is for rendering (show). Its bodies are redacted and it has no
	// live bodies: apply uses a fresh plan that Check found identical.
	Plan *Plan
	name string
	file savedFile
}

// ReadSaved reads a plan file; name is used in messages.
func ReadSaved(r io.Reader, name string) (*SavedPlan, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the plan file %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var f savedFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s is not an azapply plan file (%v): write one with azapply plan --out %s", name, err, name)
	}
	if f.FormatVersion == 0 || f.Salt == "" {
		return nil, fmt.Errorf("%s is not an azapply plan file: write one with azapply plan --out %s", name, name)
	}
	if f.FormatVersion > SavedFormatVersion {
		return nil, fmt.Errorf("%s has plan format version %d, newer than this azapply understands (%d): upgrade azapply", name, f.FormatVersion, SavedFormatVersion)
	}
	if f.FormatVersion < SavedFormatVersion {
		return nil, fmt.Errorf("%s was written by an older azapply (plan format version %d, without a checksum): run azapply plan --out %s again", name, f.FormatVersion, name)
	}
	if sum, err := f.checksum(); err != nil || !hmac.Equal([]byte(sum), []byte(f.Checksum)) {
		return nil, fmt.Errorf("%s was changed after azapply wrote it (its checksum does not match its content), so it is neither shown nor applied: run azapply plan --out %s again and review that", name, name)
	}
	p := &Plan{Lineage: f.Lineage, Serial: f.Serial, RefreshOnly: f.RefreshOnly, Targets: f.Targets}
	for _, sc := range f.Changes {
		c := &Change{
			Address: sc.Address, ID: sc.ID, APIVersion: sc.APIVersion, Action: sc.Action, Import: sc.Import,
			PriorID: sc.PriorID, MovedFrom: sc.MovedFrom, CreateBeforeDestroy: sc.CreateFirst, DeletedWith: sc.DeletedWith, DependsOn: sc.DependsOn, Sensitive: sc.Sensitive,
			ReplaceReason: sc.ReplaceReason, Locks: sc.Locks, SoftDelete: sc.SoftDelete,
			Paths: loadPaths(sc.Paths), KeptDifferently: loadPaths(sc.KeptDifferently), Contents: sc.Contents,
		}
		if sc.Desired != nil {
			c.Desired, _ = decodeValue(sc.Desired).(map[string]any)
		}
		if sc.Request != nil {
			body, _ := decodeValue(sc.Request.Body).(map[string]any)
			c.Request = &Request{Method: sc.Request.Method, Body: body}
		}
		p.Changes = append(p.Changes, c)
	}
	for _, sd := range f.Drift {
		p.Drift = append(p.Drift, &Drift{Address: sd.Address, ID: sd.ID, Deleted: sd.Deleted, Paths: loadPaths(sd.Paths)})
	}
	p.OutputChanges = loadOutputs(f.OutputChanges)
	return &SavedPlan{Plan: p, name: name, file: f}, nil
}

// Replace are the addresses the plan replaces because plan --replace
// asked it to: apply plans again with the same request before Check.
func (s *SavedPlan) Replace() []string {
	var out []string
	for _, c := range s.Plan.Changes {
		if c.ReplaceReason == ReasonRequested {
			out = append(out, c.Address)
		}
	}
	return out
}

// Check compares the saved plan with a fresh one made now from the same
// configuration: the state must be the one the plan was made from (same
// lineage and serial), and every resource must be planned the same way from
// the same live and declared bodies. It returns an error giving every
// reason when not: apply must then refuse the saved plan.
func (s *SavedPlan) Check(fresh *Plan) error {
	var why []string
	f := s.file
	switch {
	case fresh.Serial == 0 && f.Serial == 0:
		// No state was ever written, then or now: a new state gets a new
		// lineage each time it is read, so there is nothing to compare.
	case fresh.Lineage != f.Lineage:
		why = append(why, fmt.Sprintf("the state is another one (lineage %s, the plan was made from %s)", fresh.Lineage, f.Lineage))
	case fresh.Serial != f.Serial:
		why = append(why, fmt.Sprintf("the state changed since the plan was made (serial %d, the plan saw %d)", fresh.Serial, f.Serial))
	}
	if fresh.RefreshOnly != f.RefreshOnly {
		why = append(why, "the plan and this apply disagree on --refresh-only")
	}
	byAddr := map[string]*Change{}
	for _, c := range fresh.Changes {
		byAddr[c.Address] = c
	}
	seen := map[string]bool{}
	for _, sc := range f.Changes {
		seen[sc.Address] = true
		c := byAddr[sc.Address]
		switch {
		case c == nil:
			why = append(why, fmt.Sprintf("%s is no longer in the plan", sc.Address))
		case !armid.Equal(c.ID, sc.ID):
			why = append(why, fmt.Sprintf("%s now has id %s, the plan says %s", sc.Address, c.ID, sc.ID))
		case c.Action != sc.Action:
			why = append(why, fmt.Sprintf("%s would now be %s, the plan says %s", sc.Address, c.Action, sc.Action))
		case c.APIVersion != sc.APIVersion:
			why = append(why, fmt.Sprintf("%s would now use api-version %s, the plan says %s", sc.Address, c.APIVersion, sc.APIVersion))
		case liveHash(f.Salt, c.Live) != sc.LiveHash:
			why = append(why, fmt.Sprintf("%s changed in Azure since the plan was made", sc.Address))
		case desiredHash(f.Salt, c) != sc.DesiredHash || !samePaths(c.Paths, sc.Paths):
			why = append(why, fmt.Sprintf("the configuration of %s changed since the plan was made (or apply was not given the same --var values)", sc.Address))
		case !sameShown(c.Paths, sc.Paths) || !sameShown(c.KeptDifferently, sc.KeptDifferently) ||
			(sc.Desired != nil) != (c.Desired != nil) || (c.Desired != nil && !sameJSON(encodeValue(redactedBody(c)), sc.Desired)) ||
			(sc.Request != nil) != (c.Request != nil) || (c.Request != nil && (c.Request.Method != sc.Request.Method || !sameJSON(encodeValue(redactedRequest(c)), sc.Request.Body))):
			why = append(why, fmt.Sprintf("%s: the plan shows values that are not what apply would send now", sc.Address))
		case !sameContents(c.Contents, sc.Contents):
			why = append(why, fmt.Sprintf("what %s holds changed since the plan was made, and deleting it deletes everything it holds", sc.Address))
		}
	}
	freshDrift := map[string]*Drift{}
	for _, d := range fresh.Drift {
		freshDrift[d.Address] = d
	}
	for _, sd := range f.Drift {
		if d := freshDrift[sd.Address]; d == nil || d.Deleted != sd.Deleted || !sameShown(d.Paths, sd.Paths) {
			why = append(why, fmt.Sprintf("what changed outside azapply in %s is not what the plan shows", sd.Address))
		}
	}
	if len(fresh.Drift) != len(f.Drift) && fresh.RefreshOnly {
		why = append(why, fmt.Sprintf("%d resources drifted now, the plan shows %d", len(fresh.Drift), len(f.Drift)))
	}
	if !sameJSON(saveOutputs(fresh.OutputChanges), f.OutputChanges) {
		why = append(why, "the changes to outputs are not what the plan shows")
	}
	for _, c := range fresh.Changes {
		if !seen[c.Address] && c.Action != NoOp {
			why = append(why, fmt.Sprintf("%s would now be %s, and the plan does not include it", c.Address, c.Action))
		}
	}
	if len(why) == 0 {
		return nil
	}
	sort.Strings(why)
	return fmt.Errorf("the saved plan %s is stale, so nothing was applied:\n  - %s\nRun azapply plan --out %s again, review it, and apply that", s.name, strings.Join(why, "\n  - "), s.name)
}

// checksum is the HMAC of the file's content without its checksum, as JSON
// encodes it (struct fields in order, map keys sorted).
func (f savedFile) checksum() (string, error) {
	f.Checksum = ""
	data, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, []byte(f.Salt))
	mac.Write(data)
	return hex.EncodeToString(mac.Sum(nil)), nil
}

// sameShown reports whether fresh path changes show what the saved ones
// show: the same paths, with the same values as printed (sensitive ones as
// markers).
func sameShown(fresh []PathChange, saved []savedPath) bool {
	return sameJSON(savePaths(fresh), saved)
}

// sameJSON compares two values as a plan file holds them, numbers by their
// spelling.
func sameJSON(a, b any) bool {
	return bytes.Equal(canonical(a), canonical(b))
}

func canonical(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var back any
	if dec.Decode(&back) != nil {
		return nil
	}
	out, _ := json.Marshal(back)
	return out
}

func saveOutputs(ocs []OutputChange) []savedOutput {
	var out []savedOutput
	for _, c := range ocs {
		so := savedOutput{Name: c.Name, Action: c.Action, Sensitive: c.Sensitive}
		if !isAbsent(c.Before) {
			so.Before = encodeValue(c.Before)
		}
		if !isAbsent(c.After) {
			so.After = encodeValue(c.After)
		}
		out = append(out, so)
	}
	return out
}

func loadOutputs(sos []savedOutput) []OutputChange {
	var out []OutputChange
	for _, so := range sos {
		c := OutputChange{Name: so.Name, Action: so.Action, Sensitive: so.Sensitive, Before: Absent{}, After: Absent{}}
		if so.Before != nil {
			c.Before = decodeValue(so.Before)
		}
		if so.After != nil {
			c.After = decodeValue(so.After)
		}
		out = append(out, c)
	}
	return out
}

// sameContents reports whether two listings of a resource group hold the
// same resources, each managed or not alike, with the same setting.
func sameContents(a, b *Contents) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.DeleteUnmanaged != b.DeleteUnmanaged || len(a.Resources) != len(b.Resources) {
		return false
	}
	for i := range a.Resources {
		x, y := a.Resources[i], b.Resources[i]
		if armid.Key(x.ID) != armid.Key(y.ID) || x.Managed != y.Managed || x.Address != y.Address {
			return false
		}
	}
	return true
}

func samePaths(a []PathChange, b []savedPath) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Path != b[i].Path {
			return false
		}
	}
	return true
}

func savePaths(pcs []PathChange) []savedPath {
	var out []savedPath
	for _, pc := range pcs {
		sp := savedPath{Path: pc.Path, Sensitive: pc.Sensitive, ForcesReplace: pc.ForcesReplace, ReplaceReason: pc.ReplaceReason, Declared: pc.Declared, NotReturned: pc.NotReturned, Dropped: pc.Dropped}
		if isAbsent(pc.Before) {
			sp.BeforeAbsent = true
		} else {
			sp.Before = encodeValue(shown(pc.Before, pc.Sensitive))
		}
		if isAbsent(pc.After) {
			sp.AfterAbsent = true
		} else {
			sp.After = encodeValue(shown(pc.After, pc.Sensitive))
		}
		out = append(out, sp)
	}
	return out
}

func loadPaths(sps []savedPath) []PathChange {
	var out []PathChange
	for _, sp := range sps {
		pc := PathChange{Path: sp.Path, Sensitive: sp.Sensitive, ForcesReplace: sp.ForcesReplace, ReplaceReason: sp.ReplaceReason, Declared: sp.Declared, NotReturned: sp.NotReturned, Dropped: sp.Dropped,
			Before: decodeValue(sp.Before), After: decodeValue(sp.After)}
		if sp.BeforeAbsent {
			pc.Before = Absent{}
		}
		if sp.AfterAbsent {
			pc.After = Absent{}
		}
		out = append(out, pc)
	}
	return out
}

// encodeValue turns unknowns and sensitive markers into marker objects that
// survive JSON; a nil value is wrapped so that it is not taken for absent.
func encodeValue(v any) any {
	switch v := v.(type) {
	case config.Unknown:
		return map[string]any{unknownMarker: true}
	case body.Sensitive:
		return map[string]any{sensitiveMarkerKey: true}
	case nil:
		return json.RawMessage("null")
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = encodeValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = encodeValue(e)
		}
		return out
	}
	return v
}

func decodeValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 1 {
			if v[unknownMarker] == true {
				return config.Unknown{}
			}
			if v[sensitiveMarkerKey] == true {
				return body.Sensitive{}
			}
		}
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = decodeValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = decodeValue(e)
		}
		return out
	}
	return v
}

// liveHash is the salted hash of a live body without the bookkeeping that
// moves on its own; "" when there is no body.
func liveHash(salt string, live map[string]any) string {
	if live == nil {
		return ""
	}
	return saltedHash(salt, body.WithoutBookkeeping(live))
}

func desiredHash(salt string, c *Change) string {
	if c.Desired == nil {
		return ""
	}
	// Secrets are in the hash, so that changing only a secret makes the plan
	// stale; the hash is salted, as the state stores sensitive values.
	return saltedHash(salt, encodeValue(c.Desired))
}

func saltedHash(salt string, v any) string {
	data, err := json.Marshal(v) // maps encode with sorted keys
	if err != nil {
		return "unhashable"
	}
	mac := hmac.New(sha256.New, []byte(salt))
	mac.Write(data)
	return hex.EncodeToString(mac.Sum(nil))
}

// CheckBefore compares the saved plan with what is known before anything
// is read from Azure: the state it was made from (its lineage) and
// the resource blocks the configuration declares (their addresses, such as
// resource.rg). Apply calls it before signing in, so that a plan from
// another stack, another state or another configuration is refused without
// a request; Check compares the rest after the refresh (a state that only
// moved on, a changed body, a change in Azure).
func (s *SavedPlan) CheckBefore(lineage string, declared []string, expanded map[string]bool) error {
	var why []string
	f := s.file
	// A plan made before any state was written has a lineage of its own;
	// a state written since is a change Check explains after the refresh.
	if f.Serial > 0 && lineage != f.Lineage {
		why = append(why, fmt.Sprintf("the state is another stack's (lineage %s, the plan was made from lineage %s)", lineage, f.Lineage))
	}
	isDeclared := map[string]bool{}
	for _, d := range declared {
		isDeclared[d] = true
	}
	inPlan := map[string]bool{}
	for _, sc := range f.Changes {
		block, _ := config.SplitAddress(sc.Address)
		inPlan[block] = true
		gone := sc.Action == Delete || sc.Action == Forget || sc.DeletedWith != ""
		if !gone && config.AddressKind(block) == config.KindResource && !isDeclared[block] {
			why = append(why, fmt.Sprintf("the plan has %s, which the configuration does not declare", sc.Address))
		}
	}
	for _, d := range declared {
		// A block with for_each or count may have no instance at all.
		if !inPlan[d] && !expanded[d] {
			why = append(why, fmt.Sprintf("the configuration declares %s, which the plan does not have", d))
		}
	}
	if len(why) == 0 {
		return nil
	}
	sort.Strings(why)
	return fmt.Errorf("the saved plan %s was not made from this state and configuration, so nothing was sent to Azure:\n  - %s\nRun azapply plan --out %s here, review it, and apply that", s.name, strings.Join(why, "\n  - "), s.name)
}
