package evidence

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// statusLabel is the words shown next to a status, so no format relies on
// colour alone.
var statusLabel = map[string]string{
	Met:           "MET",
	NotMet:        "NOT MET",
	NotApplicable: "N/A",
	Residual:      "RESIDUAL",
}

var itemLabel = map[string]string{
	ItemPass:     "pass",
	ItemFail:     "FAIL",
	ItemUnknown:  "unknown",
	ItemNotShown: "not yet shown",
	ItemNA:       "n/a",
	ItemInfo:     "info",
}

// mdCell makes text safe inside a markdown table cell: no pipes or line
// breaks that would end the cell, no raw HTML.
func mdCell(s string) string { return cellReplacer.Replace(s) }

// Replacers are safe for concurrent use and never change once built.
var (
	cellReplacer = strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ", "<", "&lt;", ">", "&gt;", "`", "'")
	textReplacer = strings.NewReplacer("\r", " ", "\n", " ", "<", "&lt;", ">", "&gt;")
)

// mdText is mdCell for running text (pipes are harmless there).
func mdText(s string) string { return textReplacer.Replace(s) }

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Markdown writes the report: the summary first, then the table of
// controls, then every control's evidence.
func Markdown(w io.Writer, r *Report) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	p("# WebSocket hardening evidence: stack %s\n\n", mdText(r.Stack))
	p("Every control of the WebSocket Security Hardening Guide (websocket.org) answered for this stack: ")
	p("**met** (with the evidence), **not met** (why, and what to do), **not applicable**, or **residual** (whose job it is).\n\n")
	p("- Generated: %s by %s %s\n", fmtTime(r.GeneratedAt), mdText(r.Tool), mdText(r.Version))
	p("- Streamlit version targeted: %s\n", mdText(r.StreamlitVersion))
	p("- Inputs digest: `%s`\n", r.Digests.Inputs)
	if r.Probes != nil {
		p("- Live probes: %d results from %s against %s, run %s to %s\n", r.Probes.Count, mdText(r.Probes.Source),
			mdText(r.Probes.Target), fmtTime(r.Probes.StartedAt), fmtTime(r.Probes.FinishedAt))
	} else {
		p("- Live probes: **none given**. What only a live probe can show is stated as *not yet shown*, never as met. Run `streamsec verify URL --save FILE` and pass `--verify FILE`.\n")
	}
	p("\n## Summary\n\n")
	for _, w := range r.Summary.Warnings {
		p("> **Warning:** %s\n\n", mdText(w))
	}
	p("| Status | Controls |\n|---|---|\n")
	for _, st := range []string{Met, NotMet, NotApplicable, Residual} {
		p("| %s | %d |\n", statusLabel[st], r.Summary.Counts[st])
	}
	p("| Total | %d |\n\n", r.Summary.Total)
	if len(r.Summary.NotMet) > 0 {
		p("### Not met: what to do\n\n")
		for _, t := range r.Summary.NotMet {
			p("- **%s** %s: %s", t.ID, mdText(t.Title), mdText(t.Reason))
			if t.Action != "" {
				p(". **Do:** %s", mdText(t.Action))
			}
			p("\n")
		}
		p("\n")
	} else {
		p("Every control this stack can enforce is met.\n\n")
	}
	if len(r.Summary.ResidualOwner) > 0 {
		p("### Residual: not the stack's job, and whose it is\n\n")
		for _, t := range r.Summary.ResidualOwner {
			p("- **%s** %s (%s): %s\n", t.ID, mdText(t.Title), mdText(t.Reason), mdText(t.Action))
		}
		p("\n")
	}
	if len(r.Summary.NotYetShown) > 0 {
		p("### Not yet shown by a live probe\n\n%s\n\n", strings.Join(r.Summary.NotYetShown, ", "))
	}

	p("## Environment\n\n| Setting | Value |\n|---|---|\n")
	for _, kv := range r.Environment {
		p("| %s | %s |\n", mdCell(kv.Key), mdCell(kv.Value))
	}

	p("\n## Controls\n\n| ID | Control | Status | Enforced at | Why |\n|---|---|---|---|---|\n")
	for _, a := range r.Controls {
		p("| [%s](#%s) | %s | %s | %s | %s |\n", a.ID, strings.ToLower(a.ID), mdCell(a.Title), statusLabel[a.Status], layerName[a.Layer], mdCell(a.Reason))
	}

	p("\n## Details\n")
	for _, a := range r.Controls {
		p("\n### %s\n\n", a.ID)
		p("**%s**: %s\n\n", mdText(a.Title), statusLabel[a.Status])
		p("- Guide: %s (%s)\n", mdText(a.Recommendation), mdText(a.GuideSection))
		p("- Other references: %s\n", mdText(strings.Join(a.References, "; ")))
		p("- Enforced at: %s\n", layerName[a.Layer])
		p("- Verdict: %s\n", mdText(a.Reason))
		if a.Action != "" {
			p("- **What to do:** %s\n", mdText(a.Action))
		}
		if a.Residual != nil {
			p("- Residual (%s): %s\n", mdText(a.Residual.Owner), mdText(a.Residual.Text))
		}
		if len(a.AzurePolicyIDs) > 0 {
			p("- Azure Policy built-ins judging the same properties: %s\n", strings.Join(a.AzurePolicyIDs, ", "))
		}
		if len(a.Evidence) > 0 {
			p("\n| Source | Status | Subject | Property | Value | Expected | Note |\n|---|---|---|---|---|---|---|\n")
			for _, it := range a.Evidence {
				status := itemLabel[it.Status]
				if it.Required && (it.Status == ItemPass || it.Status == ItemFail || it.Status == ItemUnknown) {
					status += " (required)"
				}
				note := it.Message
				if it.Time != "" {
					note = strings.TrimSpace(note + " [" + it.Target + " at " + it.Time + "]")
				}
				if it.Resource != "" {
					note = strings.TrimSpace(note + " (" + it.Resource + ")")
				}
				p("| %s | %s | %s | %s | %s | %s | %s |\n", it.Source, status, mdCell(it.Subject), mdCell(it.Property),
					mdCell(it.Value), mdCell(it.Expected), mdCell(note))
			}
		}
		for _, q := range a.LogQueries {
			p("\nLog evidence: %s (%s)\n\n```kusto\n%s```\n", mdText(q.Title), strings.Join(q.Tables, ", "), ensureNL(q.Query))
		}
	}

	p("\n## Inputs\n\n| Input | SHA-256 |\n|---|---|\n")
	p("| Spec (secrets masked) | `%s` |\n| Plan (resources and violations) | `%s` |\n", r.Digests.Spec, r.Digests.Plan)
	if r.Digests.Probes != "" {
		p("| Probe results | `%s` |\n", r.Digests.Probes)
	}
	p("| All inputs | `%s` |\n", r.Digests.Inputs)
	_, err := io.WriteString(w, b.String())
	return err
}

func ensureNL(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// layerName is how each layer is called in the report and the picture.
var layerName = map[string]string{
	"client":      "Browser",
	"pipeline":    "Pipeline (streamsec verify)",
	"frontdoor":   "Front Door + WAF",
	"appservice":  "App Service",
	"streamlit":   "Streamlit",
	"application": "Application code",
	"keyvault":    "Key Vault",
	"storage":     "Storage",
	"monitoring":  "Log Analytics",
}
