package components

import (
	"fmt"
	"slices"
	"strings"

	network "github.com/pulumi/pulumi-azure-native-sdk/network/v2/v20240201"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// WAFArgs configure the Front Door WAF policy.
type WAFArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
	// ExtraOrigins are allowed origins known only at deploy time (the
	// https://<endpoint host> origin when the stack has no domain).
	ExtraOrigins pulumi.StringArrayInput
}

// WAF is the Front Door WAF policy (azure-native:network:Policy at API
// 2024-02-01, the first version whose custom rules take groupBy, so the
// WebSocket rate limit is explicitly per client socket address).
type WAF struct {
	pulumi.ResourceState
	PolicyID pulumi.IDOutput
}

// Custom rule names (Front Door allows letters and digits only).
const (
	RuleBlockInternalPaths = "BlockInternalPaths"
	RuleStreamNoOrigin     = "BlockStreamWithoutOrigin"
	RuleStreamOrigin       = "BlockStreamForeignOrigin"
	RuleStreamRateLimit    = "RateLimitStream"
)

// NewWAF registers the WAF policy.
func NewWAF(ctx *pulumi.Context, name string, args *WAFArgs, opts ...pulumi.ResourceOption) (*WAF, error) {
	c := &WAF{}
	if err := ctx.RegisterComponentResource(TypeWAF, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	policyArgs := &network.PolicyArgs{
		ResourceGroupName: args.ResourceGroupName,
		PolicyName:        pulumi.String(wafPolicyName(s)),
		Location:          pulumi.String("Global"),
		Sku:               &network.SkuArgs{Name: pulumi.String(s.FrontDoorSku)},
		PolicySettings: &network.FrontDoorPolicySettingsArgs{
			EnabledState:                  pulumi.String("Enabled"),
			Mode:                          pulumi.String(s.WAFMode),
			RequestBodyCheck:              pulumi.String("Enabled"),
			CustomBlockResponseStatusCode: pulumi.Int(403),
		},
		CustomRules: &network.CustomRuleListArgs{Rules: customRules(s, args.ExtraOrigins)},
		Tags:        tags(s),
	}
	// Managed rule sets run on Premium only; Standard keeps the custom
	// rules, which carry the WebSocket-specific controls.
	if s.Premium() {
		policyArgs.ManagedRules = &network.ManagedRuleSetListArgs{ManagedRuleSets: network.FrontDoorManagedRuleSetArray{
			&network.FrontDoorManagedRuleSetArgs{
				RuleSetType:    pulumi.String("Microsoft_DefaultRuleSet"),
				RuleSetVersion: pulumi.String("2.1"),
				RuleSetAction:  pulumi.String("Block"),
			},
			&network.FrontDoorManagedRuleSetArgs{
				RuleSetType:    pulumi.String("Microsoft_BotManagerRuleSet"),
				RuleSetVersion: pulumi.String("1.1"),
				RuleSetAction:  pulumi.String("Block"),
			},
		}}
	}
	policy, err := network.NewPolicy(ctx, name+"-policy", policyArgs, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("waf policy: %w", err)
	}
	c.PolicyID = policy.ID()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"policyId": policy.ID()}); err != nil {
		return nil, err
	}
	return c, nil
}

// wafPolicyName is the policy's Azure name: letters and digits, starting
// with a letter, at most 128 characters.
func wafPolicyName(s *spec.Spec) string { return s.CompactName("waf", 128) }

// streamCondition selects the WebSocket handshake path.
func streamCondition() *network.FrontDoorMatchConditionArgs {
	return &network.FrontDoorMatchConditionArgs{
		MatchVariable: pulumi.String("RequestUri"),
		Operator:      pulumi.String("Contains"),
		MatchValue:    pulumi.StringArray{pulumi.String(StreamPath)},
		Transforms:    pulumi.StringArray{pulumi.String("Lowercase"), pulumi.String("UrlDecode")},
	}
}

// customRules are the rules on every tier (CONTROLS.md WS-ORIGIN-01,
// WS-RATE-01, WS-EXP-01).
func customRules(s *spec.Spec, extra pulumi.StringArrayInput) network.CustomRuleArray {
	var blocked pulumi.StringArray
	for _, p := range s.BlockedPathsAll() {
		blocked = append(blocked, pulumi.String(strings.ToLower(p)))
	}
	// The allowlist is compared after the Lowercase transform.
	origins := pulumi.StringArray{}
	static := s.Origins()
	for _, o := range static {
		origins = append(origins, pulumi.String(strings.ToLower(o)))
	}
	var originValues pulumi.StringArrayInput = origins
	if extra != nil {
		originValues = extra.ToStringArrayOutput().ApplyT(func(more []string) []string {
			out := make([]string, 0, len(static)+len(more))
			for _, o := range append(slices.Clone(static), more...) {
				o = strings.ToLower(o)
				if o != "" && !slices.Contains(out, o) {
					out = append(out, o)
				}
			}
			return out
		}).(pulumi.StringArrayOutput)
	}
	return network.CustomRuleArray{
		&network.CustomRuleArgs{
			Name:         pulumi.String(RuleBlockInternalPaths),
			Priority:     pulumi.Int(10),
			EnabledState: pulumi.String("Enabled"),
			RuleType:     pulumi.String("MatchRule"),
			Action:       pulumi.String("Block"),
			MatchConditions: network.FrontDoorMatchConditionArray{&network.FrontDoorMatchConditionArgs{
				MatchVariable: pulumi.String("RequestUri"),
				Operator:      pulumi.String("Contains"),
				MatchValue:    blocked,
				Transforms:    pulumi.StringArray{pulumi.String("Lowercase"), pulumi.String("UrlDecode")},
			}},
		},
		&network.CustomRuleArgs{
			Name:         pulumi.String(RuleStreamNoOrigin),
			Priority:     pulumi.Int(20),
			EnabledState: pulumi.String("Enabled"),
			RuleType:     pulumi.String("MatchRule"),
			Action:       pulumi.String("Block"),
			MatchConditions: network.FrontDoorMatchConditionArray{
				streamCondition(),
				// Any, negated: the header is absent. Streamlit accepts an
				// upgrade with no Origin; browsers always send one.
				&network.FrontDoorMatchConditionArgs{
					MatchVariable:   pulumi.String("RequestHeader"),
					Selector:        pulumi.String("Origin"),
					Operator:        pulumi.String("Any"),
					NegateCondition: pulumi.Bool(true),
					// 2024-02-01 requires matchValue; Any wants no values.
					MatchValue: pulumi.StringArray{},
				},
			},
		},
		&network.CustomRuleArgs{
			Name:         pulumi.String(RuleStreamOrigin),
			Priority:     pulumi.Int(30),
			EnabledState: pulumi.String("Enabled"),
			RuleType:     pulumi.String("MatchRule"),
			Action:       pulumi.String("Block"),
			MatchConditions: network.FrontDoorMatchConditionArray{
				streamCondition(),
				&network.FrontDoorMatchConditionArgs{
					MatchVariable:   pulumi.String("RequestHeader"),
					Selector:        pulumi.String("Origin"),
					Operator:        pulumi.String("Equal"),
					NegateCondition: pulumi.Bool(true),
					MatchValue:      originValues,
					Transforms:      pulumi.StringArray{pulumi.String("Lowercase"), pulumi.String("Trim")},
				},
			},
		},
		&network.CustomRuleArgs{
			Name:                       pulumi.String(RuleStreamRateLimit),
			Priority:                   pulumi.Int(40),
			EnabledState:               pulumi.String("Enabled"),
			RuleType:                   pulumi.String("RateLimitRule"),
			Action:                     pulumi.String("Block"),
			RateLimitThreshold:         pulumi.Int(s.RateLimitPerMinute),
			RateLimitDurationInMinutes: pulumi.Int(1),
			GroupBy:                    network.GroupByVariableArray{&network.GroupByVariableArgs{VariableName: pulumi.String("SocketAddr")}},
			MatchConditions:            network.FrontDoorMatchConditionArray{streamCondition()},
		},
	}
}
