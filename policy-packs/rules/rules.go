// Package rules holds the streamsec policy rules as plain Go: each rule
// judges resources (a type token and a property map, the inventory model),
// so the same rules run inside the policyx packs during `pulumi preview`
// and offline in `streamsec plan` and `streamsec check`.
package rules

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/streamlitopts"
)

// Enforcement is how a rule's violations count.
type Enforcement string

const (
	Mandatory Enforcement = "mandatory" // blocks the preview, exit 1
	Advisory  Enforcement = "advisory"  // reported, does not block
	Disabled  Enforcement = "disabled"  // not evaluated
)

// Valid reports whether e is one of the three levels.
func (e Enforcement) Valid() bool { return e == Mandatory || e == Advisory || e == Disabled }

// Pack names: every rule belongs to exactly one policy pack.
const (
	PackWebSocket = "websocket-hardening"
	PackBaseline  = "azure-baseline"
)

// Violation is one broken rule on one resource (or on the stack).
type Violation struct {
	Policy   string   `json:"policy"`   // rule id
	Severity string   `json:"severity"` // "mandatory" | "advisory"
	URN      string   `json:"urn"`
	Type     string   `json:"type"`
	Message  string   `json:"message"`
	Controls []string `json:"controls"`
	Property string   `json:"property,omitempty"` // property path, e.g. siteConfig.minTlsVersion
}

// Config is what a stack may tune. The zero value of a field means "use
// the default" where a default exists (DefaultConfig).
type Config struct {
	// edge holds one evaluation's modelled edge, shared by the edge rules
	// (EvaluateRules sets it per call; nil elsewhere: each rule models it).
	edge *edgeMemo
	// Enforcement overrides a rule's default level, by rule id.
	Enforcement map[string]Enforcement
	// AllowedOrigins, when set, must equal the WAF's Origin allowlist.
	AllowedOrigins []string
	// MaxMessageSizeMB and MaxUploadSizeMB are the highest Streamlit limits
	// accepted (server.maxMessageSize, server.maxUploadSize).
	MaxMessageSizeMB int
	MaxUploadSizeMB  int
	// InstanceCount > 1 requires session affinity; 0 reads the App Service
	// plan's sku.capacity from the stack.
	InstanceCount int
	// BlockedPaths must be blocked by the WAF (internal Streamlit endpoints).
	BlockedPaths []string
	// MinHSTSMaxAge is the lowest Strict-Transport-Security max-age accepted.
	MinHSTSMaxAge int
	// RequireAuthentication makes App Service authentication mandatory
	// (the Spec asks for Entra ID sign-in before the WebSocket upgrade).
	RequireAuthentication bool
	// StreamlitVersion is the release the app runs; rules about options
	// only some releases have (server.allowedHosts from 1.61) read it.
	StreamlitVersion string
	// AllowedHosts, when set, are the only names server.allowedHosts may
	// list (the app's own host name, which Front Door forwards).
	AllowedHosts []string
	// MaxWidgetStateSizeMB is the highest server.maxWidgetStateSize accepted.
	MaxWidgetStateSizeMB int
}

// DefaultConfig is the configuration used when a stack sets nothing: the
// Spec's hardened defaults.
func DefaultConfig() Config {
	return Config{
		MaxMessageSizeMB: 5,
		MaxUploadSizeMB:  10,
		BlockedPaths:     spec.InternalPaths(),
		MinHSTSMaxAge:    31536000,
		// The Spec's defaults: the newest release read, 1 MB widget state.
		StreamlitVersion:     streamlitopts.Newest,
		MaxWidgetStateSizeMB: 1,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MaxMessageSizeMB <= 0 {
		c.MaxMessageSizeMB = d.MaxMessageSizeMB
	}
	if c.MaxUploadSizeMB <= 0 {
		c.MaxUploadSizeMB = d.MaxUploadSizeMB
	}
	if len(c.BlockedPaths) == 0 {
		c.BlockedPaths = d.BlockedPaths
	}
	if c.MinHSTSMaxAge <= 0 {
		c.MinHSTSMaxAge = d.MinHSTSMaxAge
	}
	if c.StreamlitVersion == "" {
		c.StreamlitVersion = d.StreamlitVersion
	}
	if c.MaxWidgetStateSizeMB <= 0 {
		c.MaxWidgetStateSizeMB = d.MaxWidgetStateSizeMB
	}
	return c
}

// Level returns the effective enforcement of rule r under c.
func (c Config) Level(r Rule) Enforcement {
	if e, ok := c.Enforcement[r.ID]; ok && e.Valid() {
		return e
	}
	return r.Enforcement
}

// Validate reports unknown rule ids and levels in the enforcement map.
func (c Config) Validate() error {
	known := map[string]bool{}
	for _, r := range All() {
		known[r.ID] = true
	}
	ids := make([]string, 0, len(c.Enforcement))
	for id := range c.Enforcement {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !known[id] {
			return fmt.Errorf("enforcement: unknown rule %q", id)
		}
		if e := c.Enforcement[id]; !e.Valid() {
			return fmt.Errorf("enforcement.%s: %q is not allowed (mandatory, advisory or disabled)", id, e)
		}
	}
	return nil
}

// Finding is what a check reports before the engine adds the rule's id,
// severity and controls. URN and Type are empty for resource checks (the
// judged resource fills them).
type Finding struct {
	URN      string
	Type     string
	Property string
	Message  string
}

// Rule is one policy rule. Resource rules have Check; stack rules have
// CheckStack and see every resource at once.
//
// Types is what makes a rule applicable, for both kinds: the base type
// tokens (API version stripped) of the resources the rule judges. A
// resource rule runs on each resource of these types; a stack rule runs
// only when the input holds at least one of them (it may read other types
// as evidence, e.g. diagnostic settings, but those alone give it nothing to
// judge). An input with none of them makes the rule not-applicable, never
// pass, in every report format, so a new rule gets its status from this
// field alone. Every rule lists at least one type (TestEveryRuleHasTypes).
type Rule struct {
	ID             string
	Title          string
	Description    string // why the rule exists
	Controls       []string
	AzurePolicyIDs []string
	Enforcement    Enforcement // default level
	Types          []string    // base type tokens of the judged resources; see above
	Pack           string

	Check      func(r inventory.Resource, cfg Config) []Finding
	CheckStack func(rs []inventory.Resource, cfg Config) []Finding
}

// IsStack reports whether the rule judges the whole stack.
func (r Rule) IsStack() bool { return r.CheckStack != nil }

// Applies reports whether the rule judges resources of this type token,
// versioned or not.
func (r Rule) Applies(typ string) bool { return r.appliesBase(baseType(typ)) }

func (r Rule) appliesBase(base string) bool {
	for _, t := range r.Types {
		if t == base {
			return true
		}
	}
	return false
}

// ApplicableTo reports whether rs holds anything the rule judges: a
// resource of one of its Types.
func (r Rule) ApplicableTo(rs []inventory.Resource) bool {
	for _, res := range rs {
		if r.Applies(res.Type) {
			return true
		}
	}
	return false
}

// EvaluateResource runs a resource rule on one resource.
func (r Rule) EvaluateResource(res inventory.Resource, cfg Config) []Violation {
	if r.Check == nil || !r.Applies(res.Type) {
		return nil
	}
	return r.evalResource(res, cfg.withDefaults())
}

// evalResource runs a resource rule whose type already matched, with a
// configuration that has its defaults.
func (r Rule) evalResource(res inventory.Resource, cfg Config) []Violation {
	level := cfg.Level(r)
	if level == Disabled {
		return nil
	}
	return r.violations(r.Check(res, cfg), level, res.URN, res.Type)
}

// EvaluateStack runs a stack rule on every resource of a stack, if the
// stack holds a resource of the rule's Types.
func (r Rule) EvaluateStack(rs []inventory.Resource, cfg Config) []Violation {
	if r.CheckStack == nil || !r.ApplicableTo(rs) {
		return nil
	}
	cfg = cfg.withDefaults()
	level := cfg.Level(r)
	if level == Disabled {
		return nil
	}
	return r.violations(r.CheckStack(rs, cfg), level, "", "")
}

func (r Rule) violations(fs []Finding, level Enforcement, urn, typ string) []Violation {
	var out []Violation
	for _, f := range fs {
		v := Violation{
			Policy:   r.ID,
			Severity: string(level),
			URN:      f.URN,
			Type:     f.Type,
			Message:  f.Message,
			Controls: append([]string(nil), r.Controls...),
			Property: f.Property,
		}
		if v.URN == "" {
			v.URN = urn
		}
		if v.Type == "" {
			v.Type = typ
		}
		out = append(out, v)
	}
	return out
}

// All returns every rule (resource and stack rules), in a stable order.
func All() []Rule {
	var all []Rule
	all = append(all, appServiceRules()...)
	all = append(all, streamlitRules()...)
	all = append(all, frontDoorRules()...)
	all = append(all, wafRules()...)
	all = append(all, storageRules()...)
	all = append(all, keyVaultRules()...)
	all = append(all, deployRules()...)
	all = append(all, stackRules()...)
	all = append(all, edgeRules()...)
	all = append(all, schemaRules()...)
	return all
}

// ForPack returns the rules of one policy pack.
func ForPack(pack string) []Rule {
	var out []Rule
	for _, r := range All() {
		if r.Pack == pack {
			out = append(out, r)
		}
	}
	return out
}

// ByID returns the rule with the given id.
func ByID(id string) (Rule, bool) {
	for _, r := range All() {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Evaluate runs every rule over a stack's resources: resource rules in
// resource order, then stack rules. The order is stable for a given input.
func Evaluate(resources []inventory.Resource, cfg Config) []Violation {
	return EvaluateRules(All(), resources, cfg)
}

// EvaluateRules is Evaluate restricted to some rules (one pack).
func EvaluateRules(rs []Rule, resources []inventory.Resource, cfg Config) []Violation {
	return NewEvaluator(rs, cfg).violations(resources)
}

func (r Rule) presentIn(present map[string]bool) bool {
	for _, t := range r.Types {
		if present[t] {
			return true
		}
	}
	return false
}

// HasMandatory reports whether any violation blocks.
func HasMandatory(vs []Violation) bool {
	for _, v := range vs {
		if v.Severity == string(Mandatory) {
			return true
		}
	}
	return false
}

// Verdict statuses: every rule ends with exactly one per input.
const (
	StatusPass          = "pass"
	StatusFail          = "fail"
	StatusNotApplicable = "not-applicable"
)

// Verdict is one rule's outcome on one input (the `rules` array of the
// plan and check JSON).
type Verdict struct {
	ID     string `json:"id"`
	Status string `json:"status"` // pass | fail | not-applicable
	// Resources are the URNs of the input's resources of the rule's Types:
	// what it judged (empty when not applicable).
	Resources []string `json:"resources"`
	// Reason says why a rule is not applicable.
	Reason string `json:"reason,omitempty"`
}

// Evaluation is a rule set's verdicts on one input.
type Evaluation struct {
	Rules      []Rule
	Config     Config
	Violations []Violation // never nil
	Verdicts   []Verdict   // one per rule, in rule order
	// judgeable: the input holds a resource some rule of the set judges
	// (whatever the rules' levels).
	judgeable bool
}

// Run evaluates ruleSet on resources and gives every rule its status:
// fail with a violation, not-applicable when the input holds none of its
// Types (or the configuration disabled it), else pass.
func Run(ruleSet []Rule, resources []inventory.Resource, cfg Config) Evaluation {
	return NewEvaluator(ruleSet, cfg).Finish(resources)
}

// shortTypes names type tokens without the provider prefix (web:WebApp).
func shortTypes(types []string) string {
	out := make([]string, len(types))
	for i, t := range types {
		out[i] = strings.TrimPrefix(t, "azure-native:")
	}
	return strings.Join(out, ", ")
}

// Counts returns how many rules passed, failed and were not applicable.
func (e Evaluation) Counts() (pass, fail, notApplicable int) {
	for _, v := range e.Verdicts {
		switch v.Status {
		case StatusPass:
			pass++
		case StatusFail:
			fail++
		default:
			notApplicable++
		}
	}
	return pass, fail, notApplicable
}

// Judged reports whether the input holds anything a rule of the set
// judges, whatever the rules' levels: an input of which no rule could
// judge anything must not pass as clean (the commands exit 2).
func (e Evaluation) Judged() bool { return e.judgeable }

// Document builds the reporters' view of the evaluation: every rule's
// metadata (with its effective level), one failed result per violation,
// one passed result per rule without violations and one not-applicable
// result per rule that judged nothing (none of its types, or disabled).
func (e Evaluation) Document(command, target string, jsonPayload any) output.Document {
	doc := output.Document{Tool: "streamsec", Command: command, Target: target, JSON: jsonPayload}
	for _, v := range e.Violations {
		level := output.LevelWarning
		if v.Severity == string(Mandatory) {
			level = output.LevelError
		}
		ev := map[string]string{"type": v.Type}
		if v.Property != "" {
			ev["property"] = v.Property
		}
		doc.Results = append(doc.Results, output.Result{
			RuleID:   v.Policy,
			Status:   output.StatusFail,
			Level:    level,
			Message:  v.Message,
			Location: v.URN,
			Controls: v.Controls,
			Evidence: ev,
		})
	}
	for i, r := range e.Rules {
		level := output.LevelError
		if e.Config.Level(r) != Mandatory {
			level = output.LevelWarning
		}
		doc.Rules = append(doc.Rules, output.Rule{
			ID:          r.ID,
			Title:       r.Title,
			Description: r.Description,
			Controls:    r.Controls,
			Level:       level,
		})
		switch v := e.Verdicts[i]; v.Status {
		case StatusNotApplicable:
			doc.Results = append(doc.Results, output.Result{RuleID: r.ID, Status: output.StatusNotApplicable, Message: v.Reason, Controls: r.Controls})
		case StatusPass:
			doc.Results = append(doc.Results, output.Result{RuleID: r.ID, Status: output.StatusPass, Controls: r.Controls,
				Evidence: map[string]string{"judged": fmt.Sprintf("%d resource(s)", len(v.Resources))}})
		}
	}
	return doc
}

// baseType is inventory.BaseType without allocating for unversioned
// tokens, the common case, since stack rules filter every resource by type.
func baseType(token string) string {
	i := strings.IndexByte(token, ':')
	if i < 0 {
		return token
	}
	j := strings.IndexByte(token[i+1:], ':')
	if j < 0 || strings.IndexByte(token[i+1:i+1+j], '/') < 0 {
		return token
	}
	return inventory.BaseType(token)
}
