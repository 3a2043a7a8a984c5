package evidence

import (
	"encoding/json"
	"fmt"
	"io"
)

// JSON writes the report as one indented JSON object (the contract: at
// least controls[] with id, status, evidence).
func JSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	return nil
}

// Formats are the report formats, sorted.
func Formats() []string { return []string{"html", "json", "markdown", "sarif"} }

// Render writes the report in a format; an unknown format is an error
// naming the allowed ones.
func Render(w io.Writer, format string, r *Report) error {
	switch format {
	case "markdown", "md":
		return Markdown(w, r)
	case "html":
		return HTML(w, r)
	case "json":
		return JSON(w, r)
	case "sarif":
		return SARIF(w, r)
	}
	return fmt.Errorf("--format %q: allowed values are html, json, markdown, sarif", format)
}
