package controls

import (
	"fmt"
	"strings"
)

// LogQueriesMarkdown renders docs/log-queries.md from the catalogue, so
// the document and the report carry the same queries.
func (c *Catalogue) LogQueriesMarkdown() string {
	var b strings.Builder
	b.WriteString("# Log evidence: KQL queries per control\n\n")
	b.WriteString("<!-- Generated from internal/controls/controls.yaml by `go test ./internal/controls -run LogQueriesDoc -update`; do not edit. -->\n\n")
	b.WriteString("The stack's diagnostic settings send Front Door access and WAF logs to the Log Analytics workspace in the\n")
	b.WriteString("`AzureDiagnostics` table (Category `FrontDoorAccessLog` / `FrontDoorWebApplicationFirewallLog`, columns with type\n")
	b.WriteString("suffixes such as `requestUri_s`; `column_ifexists` keeps a query running if a column is absent), and App Service\n")
	b.WriteString("logs to the resource-specific tables `AppServiceHTTPLogs` and `AppServiceIPSecAuditLogs`. Run each query in the\n")
	b.WriteString("workspace (Logs blade, or `az monitor log-analytics query -w <workspace id> --analytics-query ...`). The WAF custom\n")
	b.WriteString("rule names the queries filter on (`...Origin`, `RateLimit...`) are the components' rule names.\n")
	for _, ctl := range c.Controls {
		if len(ctl.Logs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s %s\n", ctl.ID, ctl.Title)
		for _, q := range ctl.Logs {
			fmt.Fprintf(&b, "\n%s (%s):\n\n```kusto\n%s", q.Title, strings.Join(q.Tables, ", "), q.Query)
			if !strings.HasSuffix(q.Query, "\n") {
				b.WriteString("\n")
			}
			b.WriteString("```\n")
		}
	}
	return b.String()
}
