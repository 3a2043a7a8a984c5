package output

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Text is the human format for terminals and pipeline logs: failures first,
// one line each, evidence indented under them, a count at the end.
type Text struct{}

// Report writes d as plain text.
func (Text) Report(w io.Writer, d Document) error {
	ew := &errWriter{w: w}
	results := append([]Result(nil), d.Results...)
	sort.SliceStable(results, func(i, j int) bool { return rank(results[i]) < rank(results[j]) })
	counts := map[Status]int{}
	for _, r := range results {
		counts[r.Status]++
		title := r.RuleID
		if rule, ok := d.Rule(r.RuleID); ok && rule.Title != "" {
			title = r.RuleID + " " + rule.Title
		}
		ew.printf("%-14s %s", strings.ToUpper(string(r.Status)), title)
		if r.Status.Failed() && r.Level != "" && r.Level != LevelError {
			ew.printf(" (%s)", r.Level)
		}
		ew.printf("\n")
		// Passes stay one line each so failures stand out in long runs
		// (70 rules); the json and sarif formats keep their details.
		if r.Status == StatusPass || r.Status == StatusMet {
			continue
		}
		if r.Status == StatusNotApplicable {
			// Why it judged nothing, on one line: no location or evidence.
			if r.Message != "" {
				ew.printf("    %s\n", strings.ReplaceAll(r.Message, "\n", " "))
			}
			continue
		}
		if r.Location != "" {
			ew.printf("    at: %s\n", r.Location)
		}
		if r.Message != "" {
			ew.printf("    %s\n", strings.ReplaceAll(r.Message, "\n", "\n    "))
		}
		if len(r.Controls) > 0 {
			ew.printf("    controls: %s\n", strings.Join(r.Controls, ", "))
		}
		keys := make([]string, 0, len(r.Evidence))
		for k := range r.Evidence {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ew.printf("    %s: %s\n", k, strings.ReplaceAll(r.Evidence[k], "\n", "\n      "))
		}
	}
	statuses := make([]string, 0, len(counts))
	for s, n := range counts {
		statuses = append(statuses, fmt.Sprintf("%d %s", n, s))
	}
	sort.Strings(statuses)
	if len(statuses) == 0 {
		statuses = []string{"no results"}
	}
	ew.printf("%s %s: %s\n", d.Command, d.Target, strings.Join(statuses, ", "))
	return ew.err
}

// rank orders failures first, then unknowns, then the rest.
func rank(r Result) int {
	switch {
	case r.Status.Failed() && r.Level == LevelError:
		return 0
	case r.Status.Failed():
		return 1
	case r.Status == StatusUnknown:
		return 2
	default:
		return 3
	}
}

// JSON prints the command's own JSON contract (Document.JSON), indented.
type JSON struct{}

// Report writes d.JSON, or the results when a command has no contract of
// its own.
func (JSON) Report(w io.Writer, d Document) error {
	v := d.JSON
	if v == nil {
		v = struct {
			Command string   `json:"command"`
			Target  string   `json:"target"`
			Results []Result `json:"results"`
		}{d.Command, d.Target, d.Results}
	}
	if err := writeJSON(w, v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// errWriter keeps the first write error so renderers can print freely and
// check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err != nil {
		return
	}
	_, e.err = fmt.Fprintf(e.w, format, args...)
}
