package output

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// SARIF 2.1.0 (OASIS), the format code-scanning tools ingest.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// InformationURI is where the tool is documented.
	InformationURI = "https://github.com/streamsec/streamsec"
)

// SARIF renders a Document as one SARIF run.
type SARIF struct{}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// AutomationDetails names the run (command and target) so repeated
	// uploads for different stacks do not replace each other.
	AutomationDetails *sarifAutomation `json:"automationDetails,omitempty"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string              `json:"id"`
	Name                 string              `json:"name"`
	ShortDescription     sarifText           `json:"shortDescription"`
	FullDescription      sarifText           `json:"fullDescription"`
	Help                 sarifText           `json:"help"`
	HelpURI              string              `json:"helpUri,omitempty"`
	Properties           sarifRuleProperties `json:"properties"`
	DefaultConfiguration sarifConfiguration  `json:"defaultConfiguration"`
}

type sarifRuleProperties struct {
	Tags []string `json:"tags"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID     string            `json:"ruleId"`
	RuleIndex  int               `json:"ruleIndex"`
	Level      string            `json:"level"`
	Kind       string            `json:"kind"`
	Message    sarifText         `json:"message"`
	Locations  []sarifLocation   `json:"locations,omitempty"`
	Properties map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// Report writes d as a SARIF 2.1.0 log.
func (SARIF) Report(w io.Writer, d Document) error {
	version := d.Version
	if version == "" {
		version = "dev"
	}
	tool := d.Tool
	if tool == "" {
		tool = "streamsec"
	}
	run := sarifRun{
		Tool:    sarifTool{Driver: sarifDriver{Name: tool, InformationURI: InformationURI, Version: version, Rules: []sarifRule{}}},
		Results: []sarifResult{},
	}
	if d.Command != "" {
		run.AutomationDetails = &sarifAutomation{ID: d.Command + "/" + d.Target + "/"}
	}
	index := map[string]int{}
	addRule := func(r Rule) int {
		if i, ok := index[r.ID]; ok {
			return i
		}
		title := r.Title
		if title == "" {
			title = r.ID
		}
		full := r.Description
		if full == "" {
			full = title
		}
		help := full
		if len(r.Controls) > 0 {
			help += " Controls: " + strings.Join(r.Controls, ", ") + "."
		}
		level := string(r.Level)
		if level == "" {
			level = string(LevelError)
		}
		tags := append([]string{}, r.Controls...)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: r.ID, Name: sarifName(r.ID),
			ShortDescription: sarifText{title}, FullDescription: sarifText{full}, Help: sarifText{help},
			HelpURI:              r.HelpURI,
			Properties:           sarifRuleProperties{Tags: tags},
			DefaultConfiguration: sarifConfiguration{Level: level},
		})
		index[r.ID] = len(run.Tool.Driver.Rules) - 1
		return index[r.ID]
	}
	for _, r := range d.Rules {
		addRule(r)
	}
	for _, res := range d.Results {
		i := addRule(Rule{ID: res.RuleID, Controls: res.Controls, Level: res.Level})
		kind, level := sarifKind(res)
		msg := res.Message
		if msg == "" {
			msg = fmt.Sprintf("%s: %s", res.RuleID, res.Status)
		}
		out := sarifResult{RuleID: res.RuleID, RuleIndex: i, Level: level, Kind: kind, Message: sarifText{msg}}
		if loc := sarifLoc(res.Location); loc != nil {
			out.Locations = []sarifLocation{*loc}
		}
		if len(res.Evidence) > 0 {
			out.Properties = res.Evidence
		}
		run.Results = append(run.Results, out)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return fmt.Errorf("write sarif: %w", err)
	}
	return nil
}

// sarifKind maps a status to SARIF's result kind and level (level is
// "none" for everything that is not a failure, as the spec asks).
func sarifKind(r Result) (kind, level string) {
	switch r.Status {
	case StatusFail, StatusNotMet:
		l := string(r.Level)
		if l == "" {
			l = string(LevelError)
		}
		return "fail", l
	case StatusPass, StatusMet:
		return "pass", "none"
	case StatusNotApplicable:
		return "notApplicable", "none"
	case StatusResidual:
		return "informational", "none"
	default:
		return "review", "none"
	}
}

// sarifLoc places a result: URNs and URLs are logical resources, anything
// else a file.
func sarifLoc(loc string) *sarifLocation {
	switch {
	case loc == "":
		return nil
	case strings.HasPrefix(loc, "urn:") || strings.Contains(loc, "://"):
		return &sarifLocation{LogicalLocations: []sarifLogical{{FullyQualifiedName: loc, Kind: "resource"}}}
	default:
		return &sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: loc}}}
	}
}

// sarifName turns a rule id into the PascalCase name SARIF viewers show
// (appservice-https-only -> AppserviceHttpsOnly).
func sarifName(id string) string {
	var b strings.Builder
	upper := true
	for _, c := range id {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) {
			upper = true
			continue
		}
		if upper {
			c = unicode.ToUpper(c)
			upper = false
		}
		b.WriteRune(c)
	}
	return b.String()
}
