package evidence

import (
	"fmt"
	"io"
	"strings"

	"github.com/streamsec/streamsec/internal/output"
)

// guideURI is where the controls come from.
const guideURI = "https://websocket.org/guides/security/"

// SARIF writes the report as SARIF 2.1.0 through the shared reporter: one
// rule per control and one result per control, whose kind says met (pass),
// not met (fail), residual or not applicable, so code-scanning UIs list
// what is not met.
func SARIF(w io.Writer, r *Report) error {
	doc := output.Document{Tool: r.Tool, Version: r.Version, Command: "report", Target: r.Stack}
	for _, a := range r.Controls {
		help := a.Recommendation + " (" + a.GuideSection + ")"
		if a.Action != "" {
			help += " What to do: " + a.Action
		}
		if a.Residual != nil {
			help += " Residual (" + a.Residual.Owner + "): " + a.Residual.Text
		}
		doc.Rules = append(doc.Rules, output.Rule{
			ID: a.ID, Title: a.Title, Description: help, HelpURI: guideURI,
			Controls: []string{a.ID}, Level: output.LevelError,
		})
		doc.Results = append(doc.Results, output.Result{
			RuleID:   a.ID,
			Status:   output.Status(a.Status),
			Level:    output.LevelError,
			Message:  fmt.Sprintf("%s: %s", statusLabel[a.Status], a.Reason),
			Location: "stack://" + r.Stack + "/" + strings.ReplaceAll(a.Layer, " ", "-"),
			Controls: []string{a.ID},
			Evidence: map[string]string{
				"status":           a.Status,
				"azurePolicyIds":   strings.Join(a.AzurePolicyIDs, ", "),
				"evidenceCount":    fmt.Sprint(len(a.Evidence)),
				"inputsDigest":     r.Digests.Inputs,
				"streamlitVersion": r.StreamlitVersion,
			},
		})
	}
	if err := (output.SARIF{}).Report(w, doc); err != nil {
		return fmt.Errorf("report sarif: %w", err)
	}
	return nil
}
