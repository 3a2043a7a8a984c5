package render

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/output"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// checkResult is the JSON contract of render --check.
type checkResult struct {
	File              string              `json:"file"`
	Stack             string              `json:"stack"`
	StreamlitVersion  string              `json:"streamlitVersion"`
	Standalone        bool                `json:"standalone,omitempty"` // judged on its own (no --stack)
	Passed            bool                `json:"passed"`
	MandatoryFailures int                 `json:"mandatoryFailures"`
	AdvisoryFindings  int                 `json:"advisoryFindings"`
	Findings          []streamlit.Finding `json:"findings"`
}

// runCheck audits opts.Check against loaded's stack, or on its own when
// loaded is nil (no --stack).
func runCheck(ctx context.Context, opts *RenderOptions, loaded *spec.Loaded, rt streamlit.Runtime, reporter output.Reporter) error {
	data, err := readLimited(opts.Check)
	if err != nil {
		return cli.InputError(err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var s *spec.Spec
	var findings []streamlit.Finding
	if loaded == nil {
		d := spec.Defaults()
		s = &d
		findings, err = streamlit.AuditStandalone(data, s.StreamlitVersion)
	} else {
		s = loaded.Spec
		findings, err = streamlit.Audit(data, s, rt)
	}
	if err != nil {
		var se *streamlit.SyntaxError
		if errors.As(err, &se) {
			return cli.InputError(fmt.Errorf("%s:%d:%d: not valid TOML: %s", opts.Check, se.Line, se.Column, se.Msg))
		}
		return cli.InputError(fmt.Errorf("%s: %w", opts.Check, err))
	}
	doc, res := document(opts, s, findings)
	if err := reporter.Report(opts.IO.Out, doc); err != nil {
		return cli.FailedError(err)
	}
	if !res.Passed {
		return cli.ErrFailed
	}
	return nil
}

// readLimited reads at most MaxConfigSize bytes plus one, so a huge or
// endless file (a FIFO, /dev/zero) is refused instead of read whole.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--check %s: %w", path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("--check %s: is a folder; give the config.toml file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, streamlit.MaxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("--check %s: %w", path, err)
	}
	if len(data) > streamlit.MaxConfigSize {
		return nil, fmt.Errorf("--check %s: larger than %d bytes, not a Streamlit config", path, streamlit.MaxConfigSize)
	}
	return data, nil
}

// document turns findings into the shared report Document: one rule per
// option, a pass or a fail (error = mandatory, warning = advisory).
func document(opts *RenderOptions, s *spec.Spec, findings []streamlit.Finding) (output.Document, checkResult) {
	res := checkResult{File: opts.Check, Stack: s.Stack, StreamlitVersion: s.StreamlitVersion, Standalone: opts.Standalone, Findings: findings}
	doc := output.Document{Tool: "streamsec", Version: opts.Version, Command: "render --check", Target: opts.Check}
	if opts.Standalone {
		// Said where text readers look: no stack was compared.
		res.Stack = ""
		doc.Target += " (on its own: no --stack)"
	}
	for _, f := range findings {
		level := output.LevelWarning
		if f.Mandatory {
			level = output.LevelError
		}
		doc.Rules = append(doc.Rules, output.Rule{
			ID:          f.Option,
			Title:       f.Title,
			Description: f.Why,
			Controls:    f.Controls,
			Level:       level,
		})
		// Location stays the bare path (SARIF reads it as a file URI); the
		// line goes with the evidence.
		r := output.Result{RuleID: f.Option, Status: output.StatusPass, Level: level, Controls: f.Controls, Location: opts.Check}
		if f.State == streamlit.StateOK {
			r.Message = "ok: " + orDefault(f.Found)
		} else {
			r.Status = output.StatusFail
			r.Message = f.Why
			r.Evidence = map[string]string{
				"found": orDefault(f.Found),
				"write": "[" + f.Section + "]\n" + f.Want,
			}
			if f.Line > 0 {
				r.Evidence["line"] = strconv.Itoa(f.Line)
			}
			if f.Mandatory {
				res.MandatoryFailures++
			} else {
				res.AdvisoryFindings++
			}
		}
		doc.Results = append(doc.Results, r)
	}
	res.Passed = res.MandatoryFailures == 0
	doc.JSON = res
	return doc, res
}

func orDefault(found string) string {
	if strings.TrimSpace(found) == "" {
		return "(not set: Streamlit's default applies)"
	}
	return found
}
