package output

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Markdown renders a Document for pull-request comments and job summaries:
// a count line, then one table row per result, failures first.
type Markdown struct{}

// Report writes d as GitHub-flavoured Markdown.
func (Markdown) Report(w io.Writer, d Document) error {
	ew := &errWriter{w: w}
	results := append([]Result(nil), d.Results...)
	sort.SliceStable(results, func(i, j int) bool { return rank(results[i]) < rank(results[j]) })
	ew.printf("## %s %s: %s\n\n", mdEscape(orDefault(d.Tool, "streamsec")), mdEscape(d.Command), mdEscape(d.Target))
	ew.printf("%s\n\n", mdEscape(summary(results)))
	if len(results) == 0 {
		return wrap("markdown", ew.err)
	}
	ew.printf("| Status | Rule | Level | Location | Message | Controls |\n")
	ew.printf("|---|---|---|---|---|---|\n")
	for _, r := range results {
		title := r.RuleID
		if rule, ok := d.Rule(r.RuleID); ok && rule.Title != "" {
			title = r.RuleID + ": " + rule.Title
		}
		msg := r.Message
		keys := make([]string, 0, len(r.Evidence))
		for k := range r.Evidence {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			msg += "\n" + k + ": " + r.Evidence[k]
		}
		loc := ""
		if r.Location != "" {
			loc = "`" + strings.ReplaceAll(mdCode(r.Location), "|", "\\|") + "`"
		}
		ew.printf("| %s | %s | %s | %s | %s | %s |\n",
			mdEscape(strings.ToUpper(string(r.Status))), mdEscape(title), mdEscape(string(r.Level)),
			loc, mdEscape(msg), mdEscape(strings.Join(r.Controls, ", ")))
	}
	return wrap("markdown", ew.err)
}

func wrap(format string, err error) error {
	if err != nil {
		return fmt.Errorf("write %s: %w", format, err)
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// summary counts results by status ("2 fail, 40 pass").
func summary(results []Result) string {
	counts := map[Status]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	parts := make([]string, 0, len(counts))
	for s, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, s))
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return "no results"
	}
	return strings.Join(parts, ", ")
}

// mdEscape makes text safe inside a Markdown table cell: Markdown
// punctuation is backslash-escaped, HTML is neutralised as entities and
// newlines become <br> so a row stays one row.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n':
			b.WriteString("<br>")
		case '\r':
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '+', '!', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			if c < 0x20 {
				b.WriteRune(' ')
				continue
			}
			b.WriteRune(c)
		}
	}
	return b.String()
}

// mdCode makes text safe inside a single-backtick code span.
func mdCode(s string) string {
	s = strings.NewReplacer("`", "'", "\n", " ", "\r", " ").Replace(s)
	return s
}
