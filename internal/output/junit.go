package output

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

// JUnit renders a Document as JUnit XML for CI test tabs: one testsuite per
// command run, one testcase per result, failures for failed results.
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

// Report writes d as JUnit XML.
func (JUnit) Report(w io.Writer, d Document) error {
	suite := junitSuite{Name: strings.TrimSpace(d.Command + " " + d.Target)}
	for _, r := range d.Results {
		name := r.RuleID
		if rule, ok := d.Rule(r.RuleID); ok && rule.Title != "" {
			name = rule.Title
		}
		if r.Location != "" {
			name += " [" + r.Location + "]"
		}
		c := junitCase{Name: name, Classname: r.RuleID}
		detail := r.Message
		keys := make([]string, 0, len(r.Evidence))
		for k := range r.Evidence {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			detail += "\n" + k + ": " + r.Evidence[k]
		}
		if len(r.Controls) > 0 {
			detail += "\ncontrols: " + strings.Join(r.Controls, ", ")
		}
		switch {
		case r.Status.Failed():
			level := string(r.Level)
			if level == "" {
				level = string(LevelError)
			}
			c.Failure = &junitFailure{Message: r.Message, Type: level, Text: strings.TrimSpace(detail)}
			suite.Failures++
		case r.Status == StatusNotApplicable || r.Status == StatusResidual || r.Status == StatusUnknown:
			c.Skipped = &junitSkipped{Message: string(r.Status) + ": " + r.Message}
			suite.Skipped++
		default:
			c.SystemOut = strings.TrimSpace(detail)
		}
		suite.Cases = append(suite.Cases, c)
		suite.Tests++
	}
	doc := junitSuites{Name: d.Tool, Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped, Suites: []junitSuite{suite}}
	if doc.Name == "" {
		doc.Name = "streamsec"
	}
	ew := &errWriter{w: w}
	ew.printf("%s", xml.Header)
	if ew.err != nil {
		return fmt.Errorf("write junit: %w", ew.err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}
