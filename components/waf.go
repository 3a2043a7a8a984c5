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
	RuleStreamRateLimit    = "RateLimitStream"
	RuleBlockInternalPaths = "BlockInternalPaths"
	// RuleStreamVersion refuses handshakes that ask for a WebSocket
	// protocol other than RFC 6455 (WS-PROTO-01): Tornado, under Streamlit
	// up to 1.56, upgrades Sec-WebSocket-Version 7 and 8 too (FACTS.md, seen
	// with 1.39.0). A handshake without the header meets the final block.
	RuleStreamVersion    = "BlockStreamWebSocketVersion"
	RuleStreamAllow      = "AllowStreamFromAllowedOrigin"
	RuleStreamBlockOther = "BlockStreamOther"
)

// StreamAllowPattern is the Allow rule's path: the URI ends with the
// stream path and has no query (RequestUri may be the path and query or the
// full URL; the documentation does not say, so both forms match). Anything
// else that merely contains the stream path falls to BlockStreamOther.
const StreamAllowPattern = `^(https?://[^/?#]+)?[^?#]*/_stcore/stream$`

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

// streamCondition selects every request whose URI contains the
// WebSocket handshake path (decoded, any case): the broad match the blocks use.
func streamCondition() *network.FrontDoorMatchConditionArgs {
	return &network.FrontDoorMatchConditionArgs{
		MatchVariable: pulumi.String("RequestUri"),
		Operator:      pulumi.String("Contains"),
		MatchValue:    pulumi.StringArray{pulumi.String(StreamPath)},
		Transforms:    pulumi.StringArray{pulumi.String("Lowercase"), pulumi.String("UrlDecode")},
	}
}

// versionCondition matches Sec-WebSocket-Version 13 (negate: anything else).
func versionCondition(negate bool) *network.FrontDoorMatchConditionArgs {
	return &network.FrontDoorMatchConditionArgs{
		MatchVariable:   pulumi.String("RequestHeader"),
		Selector:        pulumi.String("Sec-WebSocket-Version"),
		Operator:        pulumi.String("Equal"),
		NegateCondition: pulumi.Bool(negate),
		MatchValue:      pulumi.StringArray{pulumi.String("13")},
		Transforms:      pulumi.StringArray{pulumi.String("Trim")},
	}
}

// customRules are the rules on every tier (CONTROLS.md WS-ORG-01,
// WS-RATE-01, WS-EXP-01, WS-PROTO-01). How a condition on an absent header
// evaluates is not documented, so no rule relies on it: a handshake passes
// only through the Allow, which needs an allowed Origin and version 13 to be
// present, and every other request on the stream path meets the
// unconditional block after it. Evaluation stops at the first Allow or Block
// (documented), and an Allow also skips the managed rule sets, so the Allow
// matches only a GET to the stream path itself; the rate limit and the
// other blocks come before it.
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
	rule := func(name string, priority int, action string, conds ...network.FrontDoorMatchConditionInput) *network.CustomRuleArgs {
		return &network.CustomRuleArgs{
			Name:            pulumi.String(name),
			Priority:        pulumi.Int(priority),
			EnabledState:    pulumi.String("Enabled"),
			RuleType:        pulumi.String("MatchRule"),
			Action:          pulumi.String(action),
			MatchConditions: network.FrontDoorMatchConditionArray(conds),
		}
	}
	return network.CustomRuleArray{
		&network.CustomRuleArgs{
			Name:                       pulumi.String(RuleStreamRateLimit),
			Priority:                   pulumi.Int(10),
			EnabledState:               pulumi.String("Enabled"),
			RuleType:                   pulumi.String("RateLimitRule"),
			Action:                     pulumi.String("Block"),
			RateLimitThreshold:         pulumi.Int(s.RateLimitPerMinute),
			RateLimitDurationInMinutes: pulumi.Int(1),
			GroupBy:                    network.GroupByVariableArray{&network.GroupByVariableArgs{VariableName: pulumi.String("SocketAddr")}},
			MatchConditions:            network.FrontDoorMatchConditionArray{streamCondition()},
		},
		rule(RuleBlockInternalPaths, 20, "Block", &network.FrontDoorMatchConditionArgs{
			MatchVariable: pulumi.String("RequestUri"),
			Operator:      pulumi.String("Contains"),
			MatchValue:    blocked,
			Transforms:    pulumi.StringArray{pulumi.String("Lowercase"), pulumi.String("UrlDecode")},
		}),
		rule(RuleStreamVersion, 30, "Block", streamCondition(), versionCondition(true)),
		rule(RuleStreamAllow, 40, "Allow",
			&network.FrontDoorMatchConditionArgs{
				MatchVariable: pulumi.String("RequestUri"),
				Operator:      pulumi.String("RegEx"),
				MatchValue:    pulumi.StringArray{pulumi.String(StreamAllowPattern)},
				Transforms:    pulumi.StringArray{pulumi.String("Lowercase"), pulumi.String("UrlDecode")},
			},
			&network.FrontDoorMatchConditionArgs{
				MatchVariable: pulumi.String("RequestMethod"),
				Operator:      pulumi.String("Equal"),
				MatchValue:    pulumi.StringArray{pulumi.String("GET")},
			},
			&network.FrontDoorMatchConditionArgs{
				MatchVariable: pulumi.String("RequestHeader"),
				Selector:      pulumi.String("Origin"),
				Operator:      pulumi.String("Equal"),
				MatchValue:    originValues,
				Transforms:    pulumi.StringArray{pulumi.String("Lowercase"), pulumi.String("Trim")},
			},
			versionCondition(false),
		),
		rule(RuleStreamBlockOther, 50, "Block", streamCondition()),
	}
}
