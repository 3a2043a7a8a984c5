package rules

import (
	"fmt"
	"strings"
)

// MarkdownDoc renders docs/rules.md: every rule with its id, title,
// enforcement, controls, Azure Policy ids and types. A test keeps the
// committed file in step with All().
func MarkdownDoc() string {
	var b strings.Builder
	b.WriteString("# streamsec policy rules\n\n")
	b.WriteString("Generated from `rules.All()` by `go test ./policy-packs/rules -run TestRulesDoc -update`; do not edit by hand.\n\n")
	b.WriteString("Each rule runs in its policy pack during `pulumi preview --policy-pack policy-packs/<pack>` and offline in\n")
	b.WriteString("`streamsec plan` and `streamsec check`. A mandatory violation blocks (exit 1); a value that is still computed\n")
	b.WriteString("during preview cannot be proven and fails closed. Levels and rule settings are set per stack with the pack's\n")
	b.WriteString("policy config (`pulumi preview --policy-pack-config`, `streamsec check --policy-config`).\n\n")
	for _, pack := range []string{PackWebSocket, PackBaseline} {
		fmt.Fprintf(&b, "## Pack `%s`\n\n", pack)
		b.WriteString("| Id | Title | Enforcement | Controls | Azure Policy | Applies to | Settings |\n")
		b.WriteString("|---|---|---|---|---|---|---|\n")
		for _, r := range ForPack(pack) {
			quoted := make([]string, len(r.Types))
			for i, t := range r.Types {
				quoted[i] = "`" + t + "`"
			}
			types := strings.Join(quoted, ", ")
			if r.IsStack() {
				types = "stack, judging " + types
			}
			ap := "-"
			if len(r.AzurePolicyIDs) > 0 {
				ap = strings.Join(r.AzurePolicyIDs, ", ")
			}
			settings := "-"
			if keys := ConfigKeys(r.ID); len(keys) > 0 {
				settings = "`" + strings.Join(keys, "`, `") + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", r.ID, r.Title, r.Enforcement,
				strings.Join(r.Controls, ", "), ap, types, settings)
		}
		b.WriteString("\n")
	}
	b.WriteString("## Why each rule exists\n\n")
	for _, r := range All() {
		fmt.Fprintf(&b, "- `%s`: %s\n", r.ID, r.Description)
	}
	b.WriteString("\nA rule is applicable when the input holds a resource of one of the types it applies to; otherwise it is\n")
	b.WriteString("`not-applicable` in every report format (never `pass`), and an input no rule applies to is refused (exit 2).\n")
	b.WriteString("Stack rules see every resource but judge only these types (they read others, such as diagnostic settings,\n")
	b.WriteString("as evidence).\n")
	b.WriteString("\nResource rules match API-versioned type tokens too (`azure-native:web/v20240401:WebApp` is judged as\n")
	b.WriteString("`azure-native:web:WebApp`). Stack rules receive no policy config inside the pack (policyx passes none);\n")
	b.WriteString("they use the stack's `streamsec:` settings or the defaults.\n")
	return b.String()
}
