package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Kinds of input Load recognises.
const (
	KindPreview     = "pulumi-preview"      // `pulumi preview --json`
	KindStackExport = "pulumi-stack-export" // `pulumi stack export`
	KindPlan        = "streamsec-plan"      // `streamsec plan --format json`
)

// Accepted names the formats Load reads, for error messages.
const Accepted = "`pulumi preview --json` output (steps[].newState), `pulumi stack export` output (deployment.resources) or `streamsec plan --format json` output (resources)"

// secretSig is the key Pulumi's state format marks secret values with, and
// secretSigValue its value ({"4dabf...": "1b470...", "ciphertext": ...}).
const (
	secretSig      = "4dabf18193072939515e22adb298388d"
	secretSigValue = "1b47061264138c4ac30d75fd1eb44270"
)

// Input is what Load read.
type Input struct {
	Kind      string
	Resources []Resource
	// NotJudged and Notes come from ARM inputs (arm.go): resources no rule
	// saw, and what the reader should know about the input.
	NotJudged []NotJudged
	Notes     []string
}

// rawResource is the common shape of a resource in all three formats.
type rawResource struct {
	URN     string         `json:"urn"`
	Type    string         `json:"type"`
	Name    string         `json:"name"`
	Parent  string         `json:"parent"`
	Inputs  map[string]any `json:"inputs"`
	Outputs map[string]any `json:"outputs"`
}

type previewStep struct {
	Op       string       `json:"op"`
	URN      string       `json:"urn"`
	NewState *rawResource `json:"newState"`
}

// document holds the top-level keys of all three formats, so the input is
// decoded in one pass whatever it is.
type document struct {
	Steps         []previewStep   `json:"steps"`
	ChangeSummary json.RawMessage `json:"changeSummary"`
	Diagnostics   json.RawMessage `json:"diagnostics"`
	Deployment    *struct {
		Resources []rawResource `json:"resources"`
	} `json:"deployment"`
	Resources []rawResource `json:"resources"`
}

// Load detects the format of data and reads its resources. Computed values
// become Unknown and secrets SecretMask, whatever the format.
func Load(data []byte) (Input, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return Input{}, fmt.Errorf("input is empty; want %s", Accepted)
	}
	if trimmed[0] != '{' {
		return Input{}, fmt.Errorf("input is not a JSON object; want %s", Accepted)
	}
	var doc document
	if err := json.Unmarshal(trimmed, &doc); err != nil {
		return Input{}, formatError(err)
	}
	switch {
	case doc.Steps != nil || (doc.Deployment == nil && doc.Resources == nil && (doc.ChangeSummary != nil || doc.Diagnostics != nil)):
		if err := previewErrors(doc.Diagnostics); err != nil {
			return Input{}, err
		}
		return loadPreview(doc.Steps)
	case doc.Deployment != nil:
		return loadResources(KindStackExport, "pulumi stack export", "deployment.resources", doc.Deployment.Resources)
	case doc.Resources != nil:
		return loadResources(KindPlan, "streamsec plan", "resources", doc.Resources)
	}
	return Input{}, fmt.Errorf("input is JSON but not a known format (no steps, deployment or resources key); want %s", Accepted)
}

// formatError names the format a type error belongs to, from the field
// path encoding/json reports.
func formatError(err error) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		format := "input"
		switch {
		case strings.HasPrefix(typ.Field, "steps"):
			format = "pulumi preview --json"
		case strings.HasPrefix(typ.Field, "deployment"):
			format = "pulumi stack export"
		case strings.HasPrefix(typ.Field, "resources"):
			format = "streamsec plan"
		}
		return fmt.Errorf("%s: %w", format, jsonError(err))
	}
	return jsonError(err)
}

// jsonError turns a decoding error into a message a person can act on.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case strings.Contains(err.Error(), "unexpected end of JSON input"):
		// encoding/json has no exported type for truncation.
		return fmt.Errorf("input ends early (truncated JSON?): %w", err)
	case errors.As(err, &syn):
		return fmt.Errorf("malformed JSON at byte %d: %w", syn.Offset, err)
	case errors.As(err, &typ):
		return fmt.Errorf("unexpected JSON value for %s at byte %d: want %s, got %s", typ.Field, typ.Offset, typ.Type, typ.Value)
	}
	return fmt.Errorf("malformed JSON: %w", err)
}

// previewErrors refuses a failed preview: `pulumi preview --json` of a
// program or provider that failed still prints a document, with error
// diagnostics and the steps it got to, which would otherwise pass as a
// clean (or partial) stack.
func previewErrors(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var diags []struct {
		URN      string `json:"urn"`
		Message  string `json:"message"`
		Severity string `json:"severity"`
	}
	if err := json.Unmarshal(raw, &diags); err != nil {
		return fmt.Errorf("pulumi preview --json: diagnostics: want a list of {severity, message} objects: %w", jsonError(err))
	}
	var msgs []string
	for _, d := range diags {
		if d.Severity != "error" {
			continue
		}
		msg := d.Message
		if d.URN != "" {
			msg = d.URN + ": " + msg
		}
		// The document may come from anywhere: no terminal escapes, no floods.
		msg = strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\n' || r == 0x7f {
				return '?'
			}
			return r
		}, strings.TrimSpace(msg))
		if len(msg) > 500 {
			msg = strings.ToValidUTF8(msg[:500], "") + "…"
		}
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		return nil
	}
	msgs, more := firstTen(msgs)
	return fmt.Errorf("pulumi preview --json: the preview failed, so it does not show what would be deployed; fix it and preview again. Its error diagnostics%s:\n  %s", more, strings.Join(msgs, "\n  "))
}

func loadPreview(steps []previewStep) (Input, error) {
	in := Input{Kind: KindPreview}
	sh := newSharer()
	var problems []error
	for i, s := range steps {
		if s.NewState == nil {
			continue // a delete: nothing will exist to judge
		}
		r := *s.NewState
		if r.URN == "" {
			r.URN = s.URN
		}
		res, err := convert(r, sh)
		if err != nil {
			problems = append(problems, fmt.Errorf("steps[%d]: %w", i, err))
			continue
		}
		in.Resources = append(in.Resources, res)
	}
	return in, joinProblems("pulumi preview --json", problems)
}

func loadResources(kind, format, path string, rs []rawResource) (Input, error) {
	in := Input{Kind: kind, Resources: make([]Resource, 0, len(rs))}
	var problems []error
	sh := newSharer()
	for i, r := range rs {
		res, err := convert(r, sh)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s[%d]: %w", path, i, err))
			continue
		}
		in.Resources = append(in.Resources, res)
	}
	return in, joinProblems(format, problems)
}

// joinProblems reports up to ten problems at once.
func joinProblems(format string, problems []error) error {
	if len(problems) == 0 {
		return nil
	}
	problems, more := firstTen(problems)
	return fmt.Errorf("%s input has invalid resources%s: %w", format, more, errors.Join(problems...))
}

// firstTen keeps at most ten items, so one message stays readable, and
// says how many it left out.
func firstTen[T any](xs []T) ([]T, string) {
	if len(xs) <= 10 {
		return xs, ""
	}
	return xs[:10], fmt.Sprintf(" (and %d more)", len(xs)-10)
}

// convert checks and normalizes one resource; sh (nil for none) shares
// its values with the document's other resources.
func convert(r rawResource, sh *sharer) (Resource, error) {
	return newResource(r.URN, sh.str(r.Type), r.Name, sh.str(r.Parent), sh.objectOrNil(normalizeMap(r.Inputs)), sh.objectOrNil(normalizeMap(r.Outputs)))
}

// newResource checks a resource's identity and names it from its URN
// when it has no name of its own.
func newResource(urn, typ, name, parent string, inputs, outputs map[string]any) (Resource, error) {
	var missing []string
	if urn == "" {
		missing = append(missing, "urn")
	}
	if typ == "" {
		missing = append(missing, "type")
	}
	if len(missing) > 0 {
		return Resource{}, fmt.Errorf("missing %s", strings.Join(missing, " and "))
	}
	// urn:pulumi:stack::project::type::name; the URN's own bytes when the
	// name is the same, so the name costs nothing.
	if i := strings.LastIndex(urn, "::"); i >= 0 && (name == "" || name == urn[i+2:]) {
		name = urn[i+2:]
	}
	if inputs == nil {
		inputs = map[string]any{}
	}
	return Resource{URN: urn, Type: typ, Name: name, Parent: parent, Inputs: inputs, Outputs: outputs}, nil
}

func normalizeMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	for k, v := range m {
		m[k] = normalize(v)
	}
	return m
}

// normalize maps Pulumi's JSON encodings of computed and secret values to
// the inventory markers. Secret contents are dropped here, never kept.
func normalize(v any) any {
	switch x := v.(type) {
	case string:
		if x == UnknownJSON {
			return Unknown
		}
		return x
	case map[string]any:
		if sig, ok := x[secretSig]; ok && sig == secretSigValue {
			return SecretMask
		}
		return normalizeMap(x)
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	}
	return v
}
