package evidence

import (
	"encoding/json"
	"fmt"
	"io"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration map[string]any `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool   `json:"executionSuccessful"`
	EndTimeUTC          string `json:"endTimeUtc"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Kind       string          `json:"kind"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties"`
}

type sarifLocation struct {
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// sarifKind maps a control status to SARIF's result kind and level.
func sarifKind(status string) (kind, level string) {
	switch status {
	case Met:
		return "pass", "none"
	case NotMet:
		return "fail", "error"
	case Residual:
		// SARIF 2.1.0 §3.27.9: only kind "fail" may carry a level other
		// than "none".
		return "review", "none"
	default:
		return "notApplicable", "none"
	}
}

// SARIF writes the report as SARIF 2.1.0: one rule per control, one result
// per control whose kind says met (pass), not met (fail), residual
// (review) or not applicable, so code-scanning UIs list what is not met.
func SARIF(w io.Writer, r *Report) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: r.Tool, Version: r.Version,
			InformationURI: "https://websocket.org/guides/security/"}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true, EndTimeUTC: fmtTime(r.GeneratedAt)}},
		Results:     []sarifResult{},
		Properties:  map[string]any{"stack": r.Stack, "inputsDigest": r.Digests.Inputs, "streamlitVersion": r.StreamlitVersion},
	}
	for i, a := range r.Controls {
		help := a.Recommendation
		if a.Action != "" {
			help += " What to do: " + a.Action
		}
		if a.Residual != nil {
			help += " Residual (" + a.Residual.Owner + "): " + a.Residual.Text
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: a.ID, Name: a.Title,
			ShortDescription:     sarifText{a.Title},
			FullDescription:      sarifText{a.Recommendation + " (" + a.GuideSection + ")"},
			Help:                 sarifText{help},
			DefaultConfiguration: map[string]any{"level": "error"},
			Properties:           map[string]any{"tags": []string{"websocket", a.Layer}, "references": a.References},
		})
		kind, level := sarifKind(a.Status)
		run.Results = append(run.Results, sarifResult{
			RuleID: a.ID, RuleIndex: i, Kind: kind, Level: level,
			Message: sarifText{fmt.Sprintf("%s: %s", statusLabel[a.Status], a.Reason)},
			Locations: []sarifLocation{{LogicalLocations: []sarifLogical{{
				FullyQualifiedName: "stack/" + r.Stack + "/" + a.Layer, Kind: "resource"}}}},
			Properties: map[string]any{"status": a.Status, "azurePolicyIds": a.AzurePolicyIDs, "evidenceCount": len(a.Evidence)},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}); err != nil {
		return fmt.Errorf("encode sarif: %w", err)
	}
	return nil
}
