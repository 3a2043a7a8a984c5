// Package output turns the results of any streamsec command into one of the
// report formats (text, json, markdown, html, sarif, junit). Every command
// builds one Document; one Reporter per format renders it, the way conftest
// keeps one outputter interface for all its formats.
package output

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Status is the verdict of one result. Commands use the subset that fits
// them: rules and probes pass/fail/unknown, the evidence report
// met/not-met/not-applicable/residual.
type Status string

const (
	StatusPass          Status = "pass"
	StatusFail          Status = "fail"
	StatusUnknown       Status = "unknown"
	StatusMet           Status = "met"
	StatusNotMet        Status = "not-met"
	StatusNotApplicable Status = "not-applicable"
	StatusResidual      Status = "residual"
)

// Failed reports whether the status is a failure a reader must act on.
func (s Status) Failed() bool { return s == StatusFail || s == StatusNotMet }

// Level is how much a failing result matters.
type Level string

const (
	LevelError   Level = "error"   // mandatory: the command exits 1
	LevelWarning Level = "warning" // advisory
	LevelNote    Level = "note"    // informational
)

// Rule describes what a result is judged against (a policy rule, a probe, a
// control). SARIF and JUnit need it; text output uses its title.
type Rule struct {
	ID          string
	Title       string
	Description string
	HelpURI     string
	Controls    []string
	Level       Level
}

// Result is one verdict: a violation, a probe outcome, a control answer.
type Result struct {
	RuleID   string   `json:"ruleId"`
	Status   Status   `json:"status"`
	Level    Level    `json:"level,omitempty"`
	Message  string   `json:"message,omitempty"`
	Location string   `json:"location,omitempty"` // URN, URL or file path the result is about
	Controls []string `json:"controls,omitempty"`
	// Evidence is shown under the message in human formats, key by key.
	Evidence map[string]string `json:"evidence,omitempty"`
}

// Document is everything a reporter needs from one command run.
type Document struct {
	Tool    string // "streamsec"
	Version string
	Command string // plan, check, verify, report, render
	Target  string // stack, input file, URL
	Rules   []Rule
	Results []Result
	// JSON is the command's own JSON contract (ARCHITECTURE.md); the json
	// reporter prints it as it is, so each command keeps its fields.
	JSON any
}

// Rule returns the rule with the given id, if the document has it.
func (d Document) Rule(id string) (Rule, bool) {
	for _, r := range d.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Reporter renders a Document in one format.
type Reporter interface {
	Report(w io.Writer, d Document) error
}

// ReporterFunc adapts a function to Reporter.
type ReporterFunc func(w io.Writer, d Document) error

// Report calls f.
func (f ReporterFunc) Report(w io.Writer, d Document) error { return f(w, d) }

var constructors = map[string]func() Reporter{
	"text":     func() Reporter { return Text{} },
	"json":     func() Reporter { return JSON{} },
	"markdown": func() Reporter { return Markdown{} },
	"html":     func() Reporter { return HTML{} },
	"sarif":    func() Reporter { return SARIF{} },
	"junit":    func() Reporter { return JUnit{} },
}

// Formats lists the format names New accepts, sorted.
func Formats() []string {
	names := make([]string, 0, len(constructors))
	for n := range constructors {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the reporter for a format name, or an error naming the
// formats that exist.
func New(format string) (Reporter, error) {
	c, ok := constructors[strings.ToLower(format)]
	if !ok {
		return nil, fmt.Errorf("--format %q: allowed values are %s", format, strings.Join(Formats(), ", "))
	}
	return c(), nil
}
