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

// Rule is one policy rule. Resource rules have Check and apply to Types;
// stack rules have CheckStack and see every resource at once.
type Rule struct {
	ID             string
	Title          string
	Description    string // why the rule exists
	Controls       []string
	AzurePolicyIDs []string
	Enforcement    Enforcement // default level
	Types          []string    // base type tokens (API version stripped)
	Pack           string

	Check      func(r inventory.Resource, cfg Config) []Finding
	CheckStack func(rs []inventory.Resource, cfg Config) []Finding
}

// IsStack reports whether the rule judges the whole stack.
func (r Rule) IsStack() bool { return r.CheckStack != nil }

// Applies reports whether a resource rule judges resources of this type
// token, versioned or not.
func (r Rule) Applies(typ string) bool { return r.appliesBase(baseType(typ)) }

func (r Rule) appliesBase(base string) bool {
	for _, t := range r.Types {
		if t == base {
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

// EvaluateStack runs a stack rule on every resource of a stack.
func (r Rule) EvaluateStack(rs []inventory.Resource, cfg Config) []Violation {
	if r.CheckStack == nil {
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
	cfg = cfg.withDefaults()
	var out []Violation
	for _, res := range resources {
		base := baseType(res.Type)
		for _, r := range rs {
			if r.Check == nil || !r.appliesBase(base) {
				continue
			}
			out = append(out, r.evalResource(res, cfg)...)
		}
	}
	for _, r := range rs {
		out = append(out, r.EvaluateStack(resources, cfg)...)
	}
	return out
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

// Document builds the reporters' view of an evaluation of every rule with
// default levels: see DocumentFor.
func Document(command, target string, vs []Violation, jsonPayload any) output.Document {
	return DocumentFor(command, target, All(), DefaultConfig(), vs, jsonPayload)
}

// DocumentFor builds the reporters' view of an evaluation of ruleSet under
// cfg: every rule's metadata (with its effective level), one failed result
// per violation, one passed result per rule without violations, and
// not-applicable for rules the configuration disabled.
func DocumentFor(command, target string, ruleSet []Rule, cfg Config, vs []Violation, jsonPayload any) output.Document {
	doc := output.Document{Tool: "streamsec", Command: command, Target: target, JSON: jsonPayload}
	failed := map[string]bool{}
	for _, v := range vs {
		failed[v.Policy] = true
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
	for _, r := range ruleSet {
		effective := cfg.Level(r)
		level := output.LevelError
		if effective != Mandatory {
			level = output.LevelWarning
		}
		doc.Rules = append(doc.Rules, output.Rule{
			ID:          r.ID,
			Title:       r.Title,
			Description: r.Description,
			Controls:    r.Controls,
			Level:       level,
		})
		switch {
		case failed[r.ID]:
		case effective == Disabled:
			doc.Results = append(doc.Results, output.Result{RuleID: r.ID, Status: output.StatusNotApplicable, Message: "disabled by configuration", Controls: r.Controls})
		default:
			doc.Results = append(doc.Results, output.Result{RuleID: r.ID, Status: output.StatusPass, Controls: r.Controls})
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
