package pack

import (
	"context"
	"fmt"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

// Version is the version both packs report.
const Version = "0.1.0"

// Factory returns the function policyx.Main calls once the engine has sent
// the stack's configuration: it builds the pack for that stack.
func Factory(name string) func(*pulumi.Context) (policyx.PolicyPack, error) {
	return func(ctx *pulumi.Context) (policyx.PolicyPack, error) {
		return New(name, StackConfig(ctx))
	}
}

// StackConfig derives the rule configuration from the previewed stack's
// own `streamsec:` settings when it has them (allowed origins, limits), so
// the pack judges a stack by the numbers it was built from. Other programs
// get the hardened defaults; policy config overrides both.
func StackConfig(ctx *pulumi.Context) rules.Config {
	if ctx == nil {
		return rules.DefaultConfig()
	}
	found := false
	src := func(key string) (any, bool) {
		v, ok := ctx.GetConfig(spec.Namespace + ":" + key)
		found = found || ok
		return v, ok
	}
	s, err := spec.Decode(ctx.Stack(), src)
	if err != nil || !found {
		return rules.DefaultConfig()
	}
	return rules.ConfigFromSpec(s)
}

// New builds the named pack ("websocket-hardening" or "azure-baseline")
// over base, the stack-level configuration.
func New(name string, base rules.Config) (policyx.PolicyPack, error) {
	ruleSet := rules.ForPack(name)
	if len(ruleSet) == 0 {
		return nil, fmt.Errorf("unknown policy pack %q", name)
	}
	policies := make([]policyx.Policy, 0, len(ruleSet))
	for _, r := range ruleSet {
		policies = append(policies, Policy(r, base))
	}
	return policyx.NewPolicyPack(name, semver.MustParse(Version), policyx.EnforcementLevelMandatory, policies)
}

// Level maps a rule enforcement to policyx's.
func Level(e rules.Enforcement) policyx.EnforcementLevel {
	switch e {
	case rules.Advisory:
		return policyx.EnforcementLevelAdvisory
	case rules.Disabled:
		return policyx.EnforcementLevelDisabled
	}
	return policyx.EnforcementLevelMandatory
}

// description is what Pulumi shows above each violation.
func description(r rules.Rule) string {
	d := r.Title + ". " + r.Description + " Controls: " + strings.Join(r.Controls, ", ") + "."
	if len(r.AzurePolicyIDs) > 0 {
		d += " Azure Policy: " + strings.Join(r.AzurePolicyIDs, ", ") + "."
	}
	return d
}

// Policy wraps one rule. The engine applies the enforcement level (the
// rule's default, or the stack's policy config), so the rule itself always
// runs as mandatory here.
func Policy(r rules.Rule, base rules.Config) policyx.Policy {
	run := func(props map[string]any) (rules.Config, error) {
		cfg := base
		cfg.Enforcement = map[string]rules.Enforcement{r.ID: rules.Mandatory}
		if err := cfg.ApplyRuleConfig(r.ID, props); err != nil {
			return cfg, fmt.Errorf("policy config: %w", err)
		}
		return cfg, nil
	}
	if r.IsStack() {
		return policyx.NewStackValidationPolicy(r.ID, policyx.StackValidationPolicyArgs{
			Description:      description(r),
			EnforcementLevel: Level(r.Enforcement),
			ValidateStack: func(ctx context.Context, args policyx.StackValidationArgs) error {
				// policyx gives stack policies no config: the stack-level
				// base configuration applies.
				cfg, _ := run(nil)
				rs := make([]inventory.Resource, 0, len(args.Resources))
				for _, res := range args.Resources {
					rs = append(rs, Resource(res))
				}
				for _, v := range r.EvaluateStack(rs, cfg) {
					args.Manager.ReportViolation(message(v), v.URN)
				}
				return nil
			},
		})
	}
	return policyx.NewResourceValidationPolicy(r.ID, policyx.ResourceValidationPolicyArgs{
		Description:      description(r),
		EnforcementLevel: Level(r.Enforcement),
		ConfigSchema:     schema(r.ID),
		ValidateResource: func(ctx context.Context, args policyx.ResourceValidationArgs) error {
			if !r.Applies(args.Resource.Type) {
				return nil
			}
			cfg, err := run(args.Config)
			if err != nil {
				return err
			}
			for _, v := range r.EvaluateResource(Resource(args.Resource), cfg) {
				args.Manager.ReportViolation(message(v), "")
			}
			return nil
		},
	})
}

// Resource converts an analyzer resource to the inventory model.
func Resource(r policyx.AnalyzerResource) inventory.Resource {
	return inventory.Resource{URN: r.URN, Type: r.Type, Name: r.Name, Parent: r.Parent, Inputs: Inputs(r.Properties)}
}

func message(v rules.Violation) string {
	if v.Property != "" && !strings.Contains(v.Message, v.Property) {
		return fmt.Sprintf("[%s] %s (property %s)", v.Policy, v.Message, v.Property)
	}
	return fmt.Sprintf("[%s] %s", v.Policy, v.Message)
}

// schema is the JSON schema of a resource rule's configurable values.
func schema(id string) *policyx.ConfigSchema {
	keys := rules.ConfigKeys(id)
	if len(keys) == 0 {
		return nil
	}
	props := map[string]map[string]any{}
	for _, k := range keys {
		switch k {
		case rules.KeyAllowedOrigins:
			props[k] = map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": "^https://"}, "minItems": 1,
				"description": "Browser origins allowed to open the WebSocket; the WAF allowlist must equal this list."}
		case rules.KeyBlockedPaths:
			props[k] = map[string]any{"type": "array", "items": map[string]any{"type": "string", "pattern": "^/"}, "minItems": 1,
				"description": "Paths the WAF must block."}
		default:
			props[k] = map[string]any{"type": "integer", "minimum": 1}
		}
	}
	return &policyx.ConfigSchema{Properties: props}
}
