// Package controls is the catalogue of the WebSocket Security Hardening
// Guide's controls (websocket.org, guides/security) as data: what each one
// asks, where the guide and other references say it, and what in this
// project answers it (plan properties, Streamlit options, live probes,
// policy rules by their control ids, log queries) or, where nothing here can,
// whose job it is. The evidence report and the docs read it; nothing else
// types a control id list.
package controls

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/streamsec/streamsec/internal/azschema"
)

//go:embed controls.yaml
var catalogueYAML []byte

// Layers a control can be enforced at, in request order. The report's
// picture draws each control in the box of its layer.
const (
	LayerClient      = "client"      // the browser
	LayerPipeline    = "pipeline"    // CI/CD running streamsec verify
	LayerFrontDoor   = "frontdoor"   // Front Door and its WAF
	LayerAppService  = "appservice"  // App Service (platform)
	LayerStreamlit   = "streamlit"   // Streamlit / Tornado configuration
	LayerApplication = "application" // the app's own code (residual)
	LayerKeyVault    = "keyvault"
	LayerStorage     = "storage"
	LayerMonitoring  = "monitoring" // Log Analytics
)

// Layers lists every layer name in drawing order.
func Layers() []string {
	return []string{LayerClient, LayerPipeline, LayerFrontDoor, LayerAppService, LayerStreamlit, LayerApplication, LayerKeyVault, LayerStorage, LayerMonitoring}
}

// Control is one recommendation of the guide and how it is answered.
type Control struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	// Recommendation is the guide's advice in one sentence.
	Recommendation string `yaml:"recommendation" json:"recommendation"`
	GuideSection   string `yaml:"guideSection" json:"guideSection"`
	// References are other sources: OWASP cheat sheet, WSTG, RFC 6455.
	References []string `yaml:"references" json:"references"`
	Layer      string   `yaml:"layer" json:"layer"`

	// Rules are the policy rule ids (policy-packs/rules) that judge the
	// control; the package tests keep this list and the rules' own control
	// ids in step both ways.
	Rules []string `yaml:"rules,omitempty" json:"rules,omitempty"`
	// Checks are properties of the planned resources that show the control.
	Checks []Check `yaml:"checks,omitempty" json:"checks,omitempty"`
	// Config are the Streamlit options that show it (as App Settings).
	Config []ConfigCheck `yaml:"config,omitempty" json:"config,omitempty"`
	// Probes are ids of live probes (streamsec verify) expected to show it;
	// probes that name the control in their own results count too.
	Probes []string `yaml:"probes,omitempty" json:"probes,omitempty"`
	// ProbeHints are probes that name the control but cannot show it alone
	// (a refused handshake without Origin is no proof of authentication):
	// shown, never deciding the status.
	ProbeHints []string `yaml:"probeHints,omitempty" json:"probeHints,omitempty"`
	// ProbeRun makes "a verify run was recorded" evidence (regular testing).
	ProbeRun bool `yaml:"probeRun,omitempty" json:"probeRun,omitempty"`
	// Platform states what Azure does with no setting (the Front Door idle
	// timeout); shown as evidence, it never makes a control met alone.
	Platform []string `yaml:"platform,omitempty" json:"platform,omitempty"`
	// Residual says what no stack setting can do and whose job it is.
	Residual *Residual `yaml:"residual,omitempty" json:"residual,omitempty"`
	// Logs are Log Analytics queries that show the control working.
	Logs []LogQuery `yaml:"logs,omitempty" json:"logs,omitempty"`
	// Action is what to do when the control is not met.
	Action string `yaml:"action" json:"action"`
}

// Check is one expectation on a planned resource property.
type Check struct {
	// Type is the azure-native type token (API version ignored).
	Type string `yaml:"type" json:"type"`
	// Property is a path into the inputs: dots between keys, a number for a
	// list index, [] for any element, [key=value] for the elements whose key
	// (itself a dotted path) equals value, compared case-insensitively.
	Property string `yaml:"property" json:"property"`
	Expect   Expect `yaml:"expect" json:"expect"`
	// Scope "each" (default): every resource of the type must hold; "any":
	// one is enough (headers spread over several rules).
	Scope string `yaml:"scope,omitempty" json:"scope,omitempty"`
	// AnyOf are other properties that answer the check, each only on the
	// resources that extend a resource of its Target type: a diagnostic
	// setting's allLogs group holds every category, but of the resource the
	// setting is on, so it stands for FrontDoorAccessLog only on a profile.
	AnyOf []Alternative `yaml:"anyOf,omitempty" json:"anyOf,omitempty"`
	// When limits the check to some environments: premium, standard,
	// multiInstance, domain, noDomain, authEntraId, keyVaultCertificate,
	// managedCertificate.
	When string `yaml:"when,omitempty" json:"when,omitempty"`
	// Advisory checks are shown but do not decide the status.
	Advisory bool `yaml:"advisory,omitempty" json:"advisory,omitempty"`
	// AzurePolicy are built-in Azure Policy definition ids judging the same
	// property.
	AzurePolicy []string `yaml:"azurePolicy,omitempty" json:"azurePolicy,omitempty"`
}

// Alternative is another property that answers a Check.
type Alternative struct {
	Property string `yaml:"property" json:"property"`
	// Target is the azure-native token of the resource the checked resource
	// extends (its resourceUri, an ARM id, names one of that type).
	Target string `yaml:"target" json:"target"`
}

// TargetARMType is the ARM resource type of an Alternative's Target token
// (internal/azschema), "" when the table does not know it.
func TargetARMType(token string) string {
	s, err := azschema.Load()
	if err != nil {
		return ""
	}
	t, ok := s.Type(token)
	if !ok {
		return ""
	}
	return t.ARMType
}

// ConfigCheck is one expectation on a Streamlit option.
type ConfigCheck struct {
	// Option is the Streamlit option name (server.enableCORS); AnyOf lists
	// alternatives when Streamlit versions differ (one present is enough).
	Option string   `yaml:"option,omitempty" json:"option,omitempty"`
	AnyOf  []string `yaml:"anyOf,omitempty" json:"anyOf,omitempty"`
	Expect Expect   `yaml:"expect" json:"expect"`
	// Default is Streamlit's own default, used when the option is not set.
	Default string `yaml:"default,omitempty" json:"default,omitempty"`
	// Optional options may be missing on Streamlit versions without them.
	Optional bool `yaml:"optional,omitempty" json:"optional,omitempty"`
}

// Names returns the option names the check reads.
func (c ConfigCheck) Names() []string {
	if c.Option != "" {
		return []string{c.Option}
	}
	return c.AnyOf
}

// Expect is what a value must be. Exactly one field is set; an empty Expect
// only shows the value.
type Expect struct {
	Equals      any      `yaml:"equals,omitempty" json:"equals,omitempty"`
	In          []any    `yaml:"in,omitempty" json:"in,omitempty"`
	Present     bool     `yaml:"present,omitempty" json:"present,omitempty"`
	Absent      bool     `yaml:"absent,omitempty" json:"absent,omitempty"`
	Contains    string   `yaml:"contains,omitempty" json:"contains,omitempty"`
	NotContains string   `yaml:"notContains,omitempty" json:"notContains,omitempty"`
	StartsWith  string   `yaml:"startsWith,omitempty" json:"startsWith,omitempty"`
	EqualsSpec  string   `yaml:"equalsSpec,omitempty" json:"equalsSpec,omitempty"`
	MaxAge      *float64 `yaml:"maxAgeAtLeast,omitempty" json:"maxAgeAtLeast,omitempty"`
}

// IsZero reports whether the expectation only shows the value.
func (e Expect) IsZero() bool {
	return e.Equals == nil && len(e.In) == 0 && !e.Present && !e.Absent && e.Contains == "" &&
		e.NotContains == "" && e.StartsWith == "" && e.EqualsSpec == "" && e.MaxAge == nil
}

// String says the expectation in words, for the report.
func (e Expect) String() string {
	switch {
	case e.Equals != nil:
		return fmt.Sprintf("= %v", e.Equals)
	case len(e.In) > 0:
		parts := make([]string, len(e.In))
		for i, v := range e.In {
			parts[i] = fmt.Sprint(v)
		}
		return "one of " + strings.Join(parts, ", ")
	case e.Present:
		return "set"
	case e.Absent:
		return "not set"
	case e.Contains != "":
		return "contains " + e.Contains
	case e.NotContains != "":
		return "does not contain " + e.NotContains
	case e.StartsWith != "":
		return "starts with " + e.StartsWith
	case e.EqualsSpec != "":
		return "= spec " + e.EqualsSpec
	case e.MaxAge != nil:
		return fmt.Sprintf("max-age >= %.0f", *e.MaxAge)
	}
	return "(shown)"
}

// Residual is what the stack cannot do.
type Residual struct {
	Owner string `yaml:"owner" json:"owner"`
	Text  string `yaml:"text" json:"text"`
}

// LogQuery is a ready-to-run Log Analytics (KQL) query.
type LogQuery struct {
	Title string `yaml:"title" json:"title"`
	// Tables the query reads, as the diagnostic settings fill them.
	Tables []string `yaml:"tables" json:"tables"`
	Query  string   `yaml:"query" json:"query"`
}

// Conditions names the values When accepts.
var conditions = map[string]bool{
	"premium": true, "standard": true, "multiInstance": true, "domain": true, "noDomain": true,
	"authEntraId": true, "keyVaultCertificate": true, "managedCertificate": true,
}

// ValidCondition reports whether When names a known condition.
func ValidCondition(when string) bool { return when == "" || conditions[when] }

// Catalogue is the list of controls in the guide's order.
type Catalogue struct {
	Controls []Control `yaml:"controls"`
}

// Load parses the embedded catalogue. It fails only if the file shipped
// with the binary is broken, which the package tests rule out.
func Load() (*Catalogue, error) { return Parse(catalogueYAML) }

// Parse reads a catalogue and checks its structure.
func Parse(data []byte) (*Catalogue, error) {
	var c Catalogue
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("control catalogue: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks ids are unique, every control has an answer path, and
// the fields the report relies on are filled.
func (c *Catalogue) Validate() error {
	var problems []string
	seen := map[string]bool{}
	layers := map[string]bool{}
	for _, l := range Layers() {
		layers[l] = true
	}
	for i, ctl := range c.Controls {
		where := fmt.Sprintf("controls[%d] %s", i, ctl.ID)
		if ctl.ID == "" {
			problems = append(problems, where+": id is empty")
		}
		if seen[ctl.ID] {
			problems = append(problems, where+": duplicate id")
		}
		seen[ctl.ID] = true
		if ctl.Title == "" || ctl.Recommendation == "" || ctl.GuideSection == "" {
			problems = append(problems, where+": title, recommendation and guideSection are required")
		}
		if !layers[ctl.Layer] {
			problems = append(problems, fmt.Sprintf("%s: layer %q is not one of %s", where, ctl.Layer, strings.Join(Layers(), ", ")))
		}
		if !ctl.Answered() {
			problems = append(problems, where+": no answer path (no check, config, probe or residual text)")
		}
		if ctl.Residual != nil && (ctl.Residual.Owner == "" || ctl.Residual.Text == "") {
			problems = append(problems, where+": residual needs owner and text")
		}
		for j, ch := range ctl.Checks {
			if ch.Type == "" || ch.Property == "" {
				problems = append(problems, fmt.Sprintf("%s: checks[%d]: type and property are required", where, j))
			}
			if !ValidCondition(ch.When) {
				problems = append(problems, fmt.Sprintf("%s: checks[%d]: when %q is unknown", where, j, ch.When))
			}
			if ch.Scope != "" && ch.Scope != "each" && ch.Scope != "any" {
				problems = append(problems, fmt.Sprintf("%s: checks[%d]: scope %q is not each or any", where, j, ch.Scope))
			}
			for k, alt := range ch.AnyOf {
				if alt.Property == "" || alt.Target == "" {
					problems = append(problems, fmt.Sprintf("%s: checks[%d].anyOf[%d]: property and target are required", where, j, k))
				} else if TargetARMType(alt.Target) == "" {
					problems = append(problems, fmt.Sprintf("%s: checks[%d].anyOf[%d]: target %s is not a token of the schema table with an ARM type", where, j, k, alt.Target))
				}
			}
		}
		for j, cc := range ctl.Config {
			if (cc.Option == "") == (len(cc.AnyOf) == 0) {
				problems = append(problems, fmt.Sprintf("%s: config[%d]: exactly one of option or anyOf", where, j))
			}
		}
		for j, q := range ctl.Logs {
			if q.Title == "" || q.Query == "" || len(q.Tables) == 0 {
				problems = append(problems, fmt.Sprintf("%s: logs[%d]: title, tables and query are required", where, j))
			}
		}
		if ctl.Action == "" && ctl.Residual == nil {
			problems = append(problems, where+": action (what to do when not met) is required")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("control catalogue:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// Answered reports whether anything can answer the control: a check, a
// Streamlit option, a probe, or a residual text saying whose job it is.
func (c Control) Answered() bool {
	return len(c.Rules) > 0 || len(c.Checks) > 0 || len(c.Config) > 0 || len(c.Probes) > 0 || c.ProbeRun ||
		(c.Residual != nil && c.Residual.Text != "")
}

// IDs returns the control ids in catalogue order.
func (c *Catalogue) IDs() []string {
	ids := make([]string, len(c.Controls))
	for i, ctl := range c.Controls {
		ids[i] = ctl.ID
	}
	return ids
}

// Get returns the control with the id.
func (c *Catalogue) Get(id string) (Control, bool) {
	for _, ctl := range c.Controls {
		if ctl.ID == id {
			return ctl, true
		}
	}
	return Control{}, false
}
