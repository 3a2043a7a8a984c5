// Package bigexport writes large `pulumi stack export` files for check's
// memory and time measurements (issue 16): the hardened stack of
// policy-packs/rules/testdata/hardened.json repeated with fresh URNs and
// Azure names, so every reference rule still has something to match,
// written the way `pulumi stack export` writes it.
package bigexport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Hardened is the plan the copies are made of, relative to the repo root.
const Hardened = "policy-packs/rules/testdata/hardened.json"

// renamed names the i-th copy's resources: URNs get a "c<i>-" prefix on
// every segment after "::", and the stack's Azure names a "c<i>" suffix.
func renamed(template string, i int) string {
	return strings.NewReplacer("acme-dashboard-prod", fmt.Sprintf("acme-dashboard-c%d", i),
		"acmedashboardprodst", fmt.Sprintf("acmedashc%dst", i),
		"::", fmt.Sprintf("::c%d-", i)).Replace(template)
}

// StackExport returns an export of n resources (a pulumi:pulumi:Stack and
// copies of plan's resources; the last copy may be cut short) from a
// `streamsec plan --format json` document.
func StackExport(plan []byte, n int) ([]byte, error) {
	var doc struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(plan, &doc); err != nil {
		return nil, fmt.Errorf("bigexport: plan: %w", err)
	}
	if len(doc.Resources) == 0 {
		return nil, fmt.Errorf("bigexport: the plan has no resources")
	}
	template, err := json.Marshal(doc.Resources)
	if err != nil {
		return nil, err
	}
	resources := make([]json.RawMessage, 0, n)
	resources = append(resources, json.RawMessage(`{"urn":"urn:pulumi:bench::streamsec::pulumi:pulumi:Stack::streamsec-bench","custom":false,"type":"pulumi:pulumi:Stack"}`))
	for i := 0; len(resources) < n; i++ {
		var batch []json.RawMessage
		if err := json.Unmarshal([]byte(renamed(string(template), i)), &batch); err != nil {
			return nil, err
		}
		for _, b := range batch {
			if len(resources) == n {
				break
			}
			resources = append(resources, b)
		}
	}
	type deployment struct {
		Manifest  map[string]any    `json:"manifest"`
		Resources []json.RawMessage `json:"resources"`
	}
	// As pkg/cmd/pulumi/stack/stack_export.go (v3.274.1) writes it:
	// json.Encoder, SetEscapeHTML(false), SetIndent("", "    "). The
	// indented file is what users give check and what its memory is
	// measured against; indenting keeps each resource's key order.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	err = enc.Encode(struct {
		Version    int        `json:"version"`
		Deployment deployment `json:"deployment"`
	}{3, deployment{map[string]any{"time": "2026-11-28T00:00:00Z", "magic": "x", "version": "v3.274.1"}, resources}})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
