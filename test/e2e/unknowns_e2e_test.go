//go:build e2e

package e2e

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
)

// realisticPreview makes the stand-in provider answer a preview create the
// way the real azure-native provider does: outputs computed by Azure (ids,
// the endpoint's hostName, the profile's frontDoorId, the vault's
// properties.vaultUri, ...) are unknown until the resource exists.
var realisticPreview = []string{"STANDIN_UNKNOWN_AT_PREVIEW=1"}

// unknownMsg is the start of the rules' fail-closed message for a value that
// is computed during preview (policy-packs/rules/props.go unknownMsg).
const unknownMsg = "is computed (unknown until apply), so it cannot be proven during preview"

// originRules are the rules that judge the allowed browser origins; on a
// stack without a custom domain the only allowed origin is the Front Door
// endpoint's host, known only once the endpoint exists.
var originRules = []string{"waf-origin-allowlist", "streamlit-cors-allowlist",
	// Without a domain the public host and the allowlist are the endpoint's
	// computed name, which the Allow rule and the modelled edge need.
	"waf-origin-required", "edge-cswsh-refused", "edge-origin-required", "edge-allowed-origin-accepted", "edge-legacy-version-refused", "edge-internal-paths-refused"}

// mandatoryRules lists the rule ids the engine's policy report marks
// mandatory ("- [mandatory]  <rule>  (<urn>: <pack>)" lines).
func mandatoryRules(out string) map[string]bool {
	got := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "- [mandatory]")
		if !ok {
			continue
		}
		if f := strings.Fields(rest); len(f) > 0 {
			got[f[0]] = true
		}
	}
	return got
}

// ruleReasons returns the reasons the engine's policy report gives for a
// rule ("[<rule>] <reason>" lines under the violation).
func ruleReasons(out, rule string) []string {
	var reasons []string
	for _, line := range strings.Split(out, "\n") {
		if why, ok := strings.CutPrefix(strings.TrimSpace(line), "["+rule+"] "); ok {
			reasons = append(reasons, why)
		}
	}
	return reasons
}

// TestRealisticUnknownsOnlyDomainlessOriginBlocksPreview: with the
// stand-in answering previews like the real provider, a brand-new stack
// without a custom domain cannot have its origin allowlist proven by a
// preview (blocked, exit 1, the rules say why), a stack with a custom
// domain previews clean, `up` (no preview: the packs judge the resolved
// inputs during the update) succeeds, every later preview reads the
// endpoint from the state and passes, and destroy leaves nothing.
func TestRealisticUnknownsOnlyDomainlessOriginBlocksPreview(t *testing.T) {
	if !setup.realPacks {
		t.Skip("the project's policy packs are not built yet")
	}
	p := newProject(t)

	// (a) A fresh domain-less stack: the preview is blocked by the origin
	// rules, and only by them.
	out, code := p.runEnv(realisticPreview, "preview", "--stack", "dev", "--color", "never", "--non-interactive")
	if code != 1 {
		t.Fatalf("preview of a fresh domain-less stack with realistic unknowns: exit %d, want 1\n%s", code, tail(out, 120))
	}
	mustContain(t, out, "Policies:", "BLOCKED", unknownMsg)
	blocked := mandatoryRules(out)
	t.Logf("mandatory violations of the fresh domain-less preview: %v", sortedKeys(blocked))
	named := false
	for _, r := range originRules {
		if blocked[r] {
			named = true
		}
	}
	if !named {
		t.Errorf("the blocked preview names neither of %v; mandatory violations: %v\n%s", originRules, blocked, tail(out, 120))
	}
	for _, r := range originRules {
		if blocked[r] {
			for _, why := range ruleReasons(out, r) {
				if !strings.Contains(why, unknownMsg) {
					t.Errorf("%s blocks for another reason than an unknown value: %s", r, why)
				}
			}
		}
	}
	// No other rule may block: the program keeps every setting but the
	// origin-bearing ones as literals (components/appservice.go
	// appSettings), so only the origin rules cannot see their value.
	for r := range blocked {
		if !slices.Contains(originRules, r) {
			t.Errorf("rule %s also blocks the domain-less preview under realistic unknowns: %v", r, ruleReasons(out, r))
		}
	}
	if strings.Contains(out, "streamsec preview --stack dev: OK") {
		t.Errorf("a blocked preview reported OK")
	}

	// (b) The same fresh stack with a custom domain: every allowed origin is
	// a literal, so the preview passes although the ids, host names and
	// vault URI are still unknown.
	out, code = p.runEnv(realisticPreview, "preview", "--stack", "dev", "--set", "domain=dash.example.com", "--color", "never", "--non-interactive")
	if code != 0 {
		t.Fatalf("preview with a custom domain and realistic unknowns: exit %d, want 0; mandatory violations: %v\n%s", code, mandatoryRules(out), tail(out, 120))
	}
	mustContain(t, out, "streamsec preview --stack dev: OK", "Policies:")
	if strings.Contains(out, "mandatory") {
		t.Errorf("preview with a custom domain reported a mandatory violation:\n%s", tail(out, 80))
	}
	// The prod stack (Premium, custom domain, Key Vault certificate) too.
	out, code = p.runEnv(realisticPreview, "preview", "--stack", "prod", "--color", "never", "--non-interactive")
	if code != 0 {
		t.Fatalf("preview of prod with realistic unknowns: exit %d, want 0; mandatory violations: %v\n%s", code, mandatoryRules(out), tail(out, 120))
	}
	mustContain(t, out, "streamsec preview --stack prod: OK")

	// (c) up on the fresh domain-less stack: no preview step; the packs
	// judge each resource with its resolved inputs during the update.
	out, code = p.runEnv(realisticPreview, "up", "--stack", "dev", "--color", "never", "--non-interactive")
	if code != 0 {
		t.Fatalf("up of the domain-less stack with realistic unknowns: exit %d, want 0; mandatory violations: %v\n%s", code, mandatoryRules(out), tail(out, 120))
	}
	// The packs were attached to the update (the engine lists them).
	mustContain(t, out, "Policies:", "websocket-hardening@v", "azure-baseline@v")
	if strings.Contains(out, "mandatory") {
		t.Errorf("up reported a mandatory violation:\n%s", tail(out, 80))
	}
	if strings.Contains(out, unknownMsg) {
		t.Errorf("up judged a value as unknown; the packs should see resolved inputs during an update:\n%s", tail(out, 80))
	}

	// (d) Now the endpoint exists: its host comes from the state and the
	// origin rules can prove the allowlist.
	out, code = p.runEnv(realisticPreview, "preview", "--stack", "dev", "--color", "never", "--non-interactive")
	if code != 0 {
		t.Fatalf("preview after up with realistic unknowns: exit %d, want 0; mandatory violations: %v\n%s", code, mandatoryRules(out), tail(out, 120))
	}
	mustContain(t, out, "streamsec preview --stack dev: OK", "Policies:")
	if strings.Contains(out, unknownMsg) || strings.Contains(out, "mandatory") {
		t.Errorf("preview after up still reports unknowns or violations:\n%s", tail(out, 80))
	}

	// (e) destroy leaves an empty stack.
	out, code = p.runEnv(realisticPreview, "destroy", "--stack", "dev", "--yes", "--non-interactive", "--color", "never")
	if code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, tail(out, 80))
	}
	if n := stackResourceCount(t, p, "dev"); n != 0 {
		t.Errorf("after destroy the stack still has %d resources", n)
	}
}

// stackResourceCount reads the number of resources in a stack's state.
func stackResourceCount(t *testing.T, p *project, stack string) int {
	t.Helper()
	export, err := p.pulumiCLI("stack", "export", "--stack", stack)
	if err != nil {
		t.Fatal(err)
	}
	var dep struct {
		Deployment struct {
			Resources []json.RawMessage `json:"resources"`
		} `json:"deployment"`
	}
	if err := json.Unmarshal([]byte(export), &dep); err != nil {
		t.Fatalf("stack export: %v", err)
	}
	return len(dep.Deployment.Resources)
}

func sortedKeys(m map[string]bool) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
