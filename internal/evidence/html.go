package evidence

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// The HTML report is one self-contained file: no scripts at all, no
// external fonts or images, the picture is inline SVG. Its only style is
// the <style> element below, allowed by hash in the file's own CSP meta
// tag (default-src 'none'; style-src 'sha256-...'), so it renders the same
// under that strict CSP served as a header: no inline style attributes,
// no event handlers. SVG colours are presentation attributes, which CSP
// does not govern.
const reportCSS = `
:root{--met:#1a7f37;--notmet:#cf222e;--residual:#9a6700;--na:#6e7781;--ink:#1f2328;--muted:#59636e;--line:#d1d9e0}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:1180px;padding:24px}
h1{font-size:26px;margin:0 0 8px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}
.meta{color:var(--muted);margin:0 0 4px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.num{text-align:right}
table.counts{width:auto;min-width:260px}
td.id{white-space:nowrap;font-weight:600}
.badge{display:inline-block;padding:0 8px;border-radius:10px;color:#fff;font-weight:600;font-size:13px;white-space:nowrap}
.st-met{background:var(--met)}.st-not-met{background:var(--notmet)}.st-residual{background:var(--residual)}.st-not-applicable{background:var(--na)}
.it-fail{color:var(--notmet);font-weight:600}.it-pass{color:var(--met)}.it-unknown{color:var(--notmet)}.it-not-shown{color:var(--residual);font-weight:600}
.evidence td{font-size:13px;word-break:break-word}
code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;border:1px solid var(--line);padding:8px;overflow-x:auto;white-space:pre-wrap}
.control{border-top:1px solid var(--line);padding-top:4px}
figure{margin:8px 0}figcaption{color:var(--muted);font-size:13px}
svg{width:100%;height:auto;border:1px solid var(--line)}
.todo li{margin:4px 0}
.warning{border-left:4px solid var(--notmet);padding:4px 8px;background:#fff1f0}
@page{margin:12mm}
@media print{body{max-width:none;padding:0;font-size:10pt}.evidence td,.evidence th{font-size:8pt;padding:2px 4px}h2{break-after:avoid}.control,figure,tr{break-inside:avoid}a{color:inherit;text-decoration:none}pre{white-space:pre-wrap}.badge{border:1px solid #000;print-color-adjust:exact;-webkit-print-color-adjust:exact}svg{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
`

// CSPHash is the style-src hash the report's CSP allows.
func CSPHash() string {
	h := sha256.Sum256([]byte(reportCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}

// CSP is the policy the HTML report carries in a meta tag and works under
// when a server sends it as a header.
func CSP() string {
	return "default-src 'none'; style-src " + CSPHash() + "; img-src 'none'; base-uri 'none'; form-action 'none'"
}

var statusFill = map[string]string{Met: "#1a7f37", NotMet: "#cf222e", Residual: "#9a6700", NotApplicable: "#6e7781"}

// box is one layer of the request path in the picture.
type box struct {
	Layer, Name, Note string
	X, Y, W, H        int
	Chips             []chip
}

type chip struct {
	ID, Label, Title, Fill string
	X, Y, W                int
}

type arrow struct {
	X1, Y1, X2, Y2 int
	Label          string
	LX, LY         int
	Dashed         bool
}

type picture struct {
	W, H   int
	Boxes  []box
	Arrows []arrow
	Legend []chip
}

// layout places every control in the box of the layer that enforces it,
// coloured by status and labelled in words.
func layout(r *Report) picture {
	boxes := []box{
		{Layer: "client", Name: "Browser", Note: "wss:// and https://", X: 10, Y: 40, W: 150, H: 110},
		{Layer: "pipeline", Name: "Pipeline", Note: "streamsec verify", X: 10, Y: 200, W: 150, H: 90},
		{Layer: "frontdoor", Name: "Front Door + WAF", Note: "TLS, headers, Origin and rate rules", X: 200, Y: 40, W: 230, H: 350},
		{Layer: "monitoring", Name: "Log Analytics", Note: "diagnostic settings", X: 200, Y: 420, W: 230, H: 90},
		{Layer: "appservice", Name: "App Service", Note: "access restrictions, auth", X: 470, Y: 40, W: 200, H: 200},
		{Layer: "streamlit", Name: "Streamlit", Note: "/_stcore/stream (Tornado)", X: 710, Y: 40, W: 200, H: 200},
		{Layer: "application", Name: "Application code", Note: "the app team's part", X: 950, Y: 40, W: 200, H: 200},
		{Layer: "keyvault", Name: "Key Vault", Note: "private endpoint: cookie secret, cert", X: 470, Y: 300, W: 200, H: 90},
		{Layer: "storage", Name: "Storage", Note: "private endpoint, no public access", X: 710, Y: 300, W: 200, H: 90},
	}
	idx := map[string]int{}
	for i, b := range boxes {
		idx[b.Layer] = i
	}
	for _, a := range r.Controls {
		i, ok := idx[a.Layer]
		if !ok {
			i = idx["application"]
		}
		b := &boxes[i]
		n := len(b.Chips)
		b.Chips = append(b.Chips, chip{
			ID: a.ID, Label: a.ID + "  " + statusLabel[a.Status], Title: a.ID + " " + a.Title + ": " + statusLabel[a.Status],
			Fill: statusFill[a.Status], X: b.X + 8, Y: b.Y + 48 + n*26, W: b.W - 16,
		})
	}
	for i := range boxes {
		if need := 56 + len(boxes[i].Chips)*26; need > boxes[i].H {
			boxes[i].H = need
		}
	}
	pic := picture{W: 1160, H: 560, Boxes: boxes}
	pic.Arrows = []arrow{
		{X1: 160, Y1: 95, X2: 200, Y2: 95, Label: "wss", LX: 165, LY: 88},
		{X1: 430, Y1: 95, X2: 470, Y2: 95, Label: "https", LX: 432, LY: 88},
		{X1: 670, Y1: 95, X2: 710, Y2: 95, Label: "", LX: 0, LY: 0},
		{X1: 910, Y1: 95, X2: 950, Y2: 95, Label: "", LX: 0, LY: 0},
		{X1: 85, Y1: 200, X2: 85, Y2: 150, Label: "probes", LX: 90, LY: 180},
		{X1: 570, Y1: 240, X2: 570, Y2: 300, Label: "private link", LX: 575, LY: 275, Dashed: true},
		{X1: 670, Y1: 200, X2: 760, Y2: 300, Label: "", Dashed: true},
		{X1: 315, Y1: 390, X2: 315, Y2: 420, Label: "logs", LX: 320, LY: 410, Dashed: true},
	}
	lx := 470
	for _, st := range []string{Met, NotMet, Residual, NotApplicable} {
		pic.Legend = append(pic.Legend, chip{Label: statusLabel[st], Fill: statusFill[st], X: lx, Y: 430, W: 110})
		lx += 120
	}
	return pic
}

var funcs = template.FuncMap{
	"label":     func(s string) string { return statusLabel[s] },
	"itemLabel": func(s string) string { return itemLabel[s] },
	"layer":     func(s string) string { return layerName[s] },
	"time":      fmtTime,
	"join":      strings.Join,
	"add":       func(a, b int) int { return a + b },
}

var htmlTmpl = template.Must(template.New("report").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>WebSocket hardening evidence: {{.R.Stack}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<header>
<h1>WebSocket hardening evidence: stack {{.R.Stack}}</h1>
<p class="meta">Every control of the WebSocket Security Hardening Guide (websocket.org) answered for this stack: met (with the evidence), not met (why, and what to do), not applicable, or residual (whose job it is).</p>
<p class="meta">Generated {{time .R.GeneratedAt}} by {{.R.Tool}} {{.R.Version}} · Streamlit {{.R.StreamlitVersion}} targeted · inputs digest <code>{{.R.Digests.Inputs}}</code></p>
{{if .R.Probes}}<p class="meta">Live probes: {{.R.Probes.Count}} results from {{.R.Probes.Source}} against {{.R.Probes.Target}}, run {{time .R.Probes.StartedAt}} to {{time .R.Probes.FinishedAt}}.</p>
{{else}}<p class="meta"><strong>No live probes given.</strong> What only a live probe can show is stated as not yet shown, never as met. Run <code>streamsec verify URL --save FILE</code> and pass <code>--verify FILE</code>.</p>{{end}}
</header>
<main>
<section id="summary">
<h2>Summary</h2>
{{range .R.Summary.Warnings}}<p class="warning"><strong>Warning:</strong> {{.}}</p>
{{end}}<table class="counts"><thead><tr><th>Status</th><th>Controls</th></tr></thead><tbody>
{{range .Statuses}}<tr><td><span class="badge st-{{.}}">{{label .}}</span></td><td class="num">{{index $.R.Summary.Counts .}}</td></tr>
{{end}}<tr><td>Total</td><td class="num">{{.R.Summary.Total}}</td></tr></tbody></table>
{{if .R.Summary.NotMet}}<h3>Not met: what to do</h3>
<ul class="todo">{{range .R.Summary.NotMet}}<li><a href="#{{.ID}}"><strong>{{.ID}}</strong></a> {{.Title}}: {{.Reason}}.{{if .Action}} <strong>Do:</strong> {{.Action}}{{end}}</li>
{{end}}</ul>{{else}}<p>Every control this stack can enforce is met.</p>{{end}}
{{if .R.Summary.ResidualOwner}}<h3>Residual: not the stack's job, and whose it is</h3>
<ul class="todo">{{range .R.Summary.ResidualOwner}}<li><a href="#{{.ID}}"><strong>{{.ID}}</strong></a> {{.Title}} ({{.Reason}}): {{.Action}}</li>
{{end}}</ul>{{end}}
{{if .R.Summary.NotYetShown}}<h3>Not yet shown by a live probe</h3><p>{{join .R.Summary.NotYetShown ", "}}</p>{{end}}
</section>
<section id="picture">
<h2>Where each control is enforced</h2>
<figure>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {{.P.W}} {{.P.H}}" role="img" aria-labelledby="pic-title pic-desc">
<title id="pic-title">Request path of stack {{.R.Stack}} with each control at the layer that enforces it</title>
<desc id="pic-desc">Browser to Front Door and its WAF to App Service to Streamlit and the application code; Key Vault and Storage behind private endpoints; logs to Log Analytics. Each control is a labelled box coloured by status.</desc>
<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#59636e"/></marker></defs>
<text x="10" y="24" font-size="15" font-weight="700" fill="#1f2328">Request path: browser → Front Door + WAF → App Service → Streamlit</text>
{{range .P.Boxes}}<g id="layer-{{.Layer}}">
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" rx="8" fill="#f6f8fa" stroke="#8c959f"/>
<text x="{{add .X 8}}" y="{{add .Y 20}}" font-size="14" font-weight="700" fill="#1f2328">{{.Name}}</text>
<text x="{{add .X 8}}" y="{{add .Y 37}}" font-size="11" fill="#59636e">{{.Note}}</text>
{{range .Chips}}<g id="chip-{{.ID}}"><title>{{.Title}}</title><rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="22" rx="4" fill="{{.Fill}}"/><text x="{{add .X 6}}" y="{{add .Y 15}}" font-size="12" font-weight="600" fill="#ffffff">{{.Label}}</text></g>
{{end}}</g>
{{end}}{{range .P.Arrows}}<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}" stroke="#59636e" stroke-width="2"{{if .Dashed}} stroke-dasharray="5 4"{{end}} marker-end="url(#arrowhead)"/>{{if .Label}}<text x="{{.LX}}" y="{{.LY}}" font-size="11" fill="#59636e">{{.Label}}</text>{{end}}
{{end}}<g id="legend"><text x="470" y="420" font-size="12" font-weight="700" fill="#1f2328">Legend (status is written on every box, not only coloured)</text>
{{range .P.Legend}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="22" rx="4" fill="{{.Fill}}"/><text x="{{add .X 6}}" y="{{add .Y 15}}" font-size="12" font-weight="600" fill="#ffffff">{{.Label}}</text>
{{end}}</g>
</svg>
<figcaption>Each control is drawn at the layer that enforces it. MET: shown by the evidence; NOT MET: a required item fails or is not yet shown; RESIDUAL: the application team's (or pipeline's) job; N/A: does not apply to this stack.</figcaption>
</figure>
</section>
<section id="environment">
<h2>Environment</h2>
<table><tbody>{{range .R.Environment}}<tr><th scope="row">{{.Key}}</th><td>{{.Value}}</td></tr>
{{end}}</tbody></table>
</section>
<section id="controls">
<h2>Controls</h2>
<table><thead><tr><th>ID</th><th>Control</th><th>Status</th><th>Enforced at</th><th>Why</th></tr></thead><tbody>
{{range .R.Controls}}<tr><td class="id"><a href="#{{.ID}}">{{.ID}}</a></td><td>{{.Title}}</td><td><span class="badge st-{{.Status}}">{{label .Status}}</span></td><td>{{layer .Layer}}</td><td>{{.Reason}}</td></tr>
{{end}}</tbody></table>
</section>
<section id="details">
<h2>Details</h2>
{{range .R.Controls}}<section class="control" id="{{.ID}}">
<h3>{{.ID}} {{.Title}} <span class="badge st-{{.Status}}">{{label .Status}}</span></h3>
<p><strong>Guide:</strong> {{.Recommendation}} ({{.GuideSection}})<br><strong>Other references:</strong> {{join .References "; "}}<br><strong>Enforced at:</strong> {{layer .Layer}}<br><strong>Verdict:</strong> {{.Reason}}</p>
{{if .Action}}<p><strong>What to do:</strong> {{.Action}}</p>{{end}}
{{if .Residual}}<p><strong>Residual ({{.Residual.Owner}}):</strong> {{.Residual.Text}}</p>{{end}}
{{if .AzurePolicyIDs}}<p><strong>Azure Policy built-ins judging the same properties:</strong> {{join .AzurePolicyIDs ", "}}</p>{{end}}
{{if .Evidence}}<table class="evidence"><thead><tr><th>Source</th><th>Status</th><th>Subject</th><th>Property</th><th>Value</th><th>Expected</th><th>Note</th></tr></thead><tbody>
{{range .Evidence}}<tr><td>{{.Source}}</td><td class="it-{{.Status}}">{{itemLabel .Status}}{{if .Required}} (required){{end}}</td><td>{{.Subject}}</td><td>{{.Property}}</td><td>{{.Value}}</td><td>{{.Expected}}</td><td>{{.Message}}{{if .Time}} [{{.Target}} at {{.Time}}]{{end}}{{if .Resource}}<br><code>{{.Resource}}</code>{{end}}</td></tr>
{{end}}</tbody></table>{{end}}
{{range .LogQueries}}<p><strong>Log evidence:</strong> {{.Title}} ({{join .Tables ", "}})</p><pre><code>{{.Query}}</code></pre>
{{end}}</section>
{{end}}
</section>
<section id="inputs">
<h2>Inputs</h2>
<table><tbody><tr><th scope="row">Spec (secrets masked)</th><td><code>{{.R.Digests.Spec}}</code></td></tr>
<tr><th scope="row">Plan (resources and violations)</th><td><code>{{.R.Digests.Plan}}</code></td></tr>
{{if .R.Digests.Probes}}<tr><th scope="row">Probe results</th><td><code>{{.R.Digests.Probes}}</code></td></tr>{{end}}
<tr><th scope="row">All inputs</th><td><code>{{.R.Digests.Inputs}}</code></td></tr></tbody></table>
</section>
</main>
</body>
</html>
`))

// HTML writes the report as one self-contained HTML file; every value is
// escaped by html/template.
func HTML(w io.Writer, r *Report) error {
	data := struct {
		R        *Report
		P        picture
		CSS      template.CSS
		CSP      string
		Statuses []string
	}{r, layout(r), template.CSS(reportCSS), CSP(), []string{Met, NotMet, NotApplicable, Residual}}
	if err := htmlTmpl.Execute(w, data); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	return nil
}
