package output

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
)

// HTML renders a Document as one self-contained page (inline CSS, no
// scripts, nothing fetched), escaped by html/template.
type HTML struct{}

var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"upper": func(s Status) string { return strings.ToUpper(string(s)) },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
	"title": func(d Document, id string) string {
		if r, ok := d.Rule(id); ok && r.Title != "" {
			return r.Title
		}
		return ""
	},
	"keys": func(m map[string]string) []string {
		k := make([]string, 0, len(m))
		for key := range m {
			k = append(k, key)
		}
		sort.Strings(k)
		return k
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{.Doc.Tool}} {{.Doc.Command}} {{.Doc.Target}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #d0d7de;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
.fail,.not-met{background:#ffebe9}.pass,.met{background:#dafbe1}
.unknown,.residual,.not-applicable{background:#fff8c5}
code{font-size:.85em;word-break:break-all}
.ev{color:#57606a;font-size:.9em;white-space:pre-wrap}
</style>
</head>
<body>
<h1>{{.Doc.Tool}} {{.Doc.Command}}</h1>
<p>Target: <code>{{.Doc.Target}}</code>{{if .Doc.Version}} &middot; version {{.Doc.Version}}{{end}}</p>
<p id="summary">{{.Summary}}</p>
<table>
<thead><tr><th>Status</th><th>Rule</th><th>Level</th><th>Location</th><th>Message</th><th>Controls</th></tr></thead>
<tbody>
{{- range .Results}}
<tr class="{{.Status}}"><td>{{upper .Status}}</td><td><code>{{.RuleID}}</code> {{title $.Doc .RuleID}}</td><td>{{.Level}}</td><td>{{if .Location}}<code>{{.Location}}</code>{{end}}</td>
<td>{{.Message}}{{with .Evidence}}{{$ev := .}}<div class="ev">{{range $k := keys $ev}}{{$k}}: {{index $ev $k}}
{{end}}</div>{{end}}</td><td>{{join .Controls}}</td></tr>
{{- end}}
</tbody>
</table>
</body>
</html>
`))

// Report writes d as an HTML page.
func (HTML) Report(w io.Writer, d Document) error {
	results := append([]Result(nil), d.Results...)
	sort.SliceStable(results, func(i, j int) bool { return rank(results[i]) < rank(results[j]) })
	if d.Tool == "" {
		d.Tool = "streamsec"
	}
	data := struct {
		Doc     Document
		Summary string
		Results []Result
	}{d, summary(results), results}
	if err := htmlPage.Execute(w, data); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}
