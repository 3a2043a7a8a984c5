package check

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const armDir = "../../inventory/testdata/arm/"

func checkJSON(t *testing.T, args ...string) (Result, int, string) {
	t.Helper()
	out, errOut, code := run(t, "", append(args, "--format", "json")...)
	var res Result
	if code != 2 {
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
		}
	}
	return res, code, errOut
}

// ruleStatuses is every rule's verdict as the text reporter prints it
// ("PASS rule-id"), the not-judged listing left out.
func ruleStatuses(t *testing.T, args ...string) []string {
	t.Helper()
	out, _, _ := run(t, "", append(args, "--format", "text")...)
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && strings.ToUpper(f[0]) == f[0] && !strings.HasPrefix(l, " ") && f[1] != "not-judged" {
			lines = append(lines, f[0]+" "+f[1])
		}
	}
	sort.Strings(lines)
	return lines
}

// The hardened stack written as an ARM template and as az resource show
// output gets the verdicts the plan gets, rule by rule. One exception: the
// plan fixture carries a release (the ARM deployment streamsec deploy
// makes), which is no resource of the stack's template nor of a resource
// listing, so the rule judging it is not applicable there.
func TestARMHardenedMatchesPlan(t *testing.T) {
	const releaseRule = "deployment-package-uri-secret"
	for _, stack := range [][]string{nil, {"--stack", "prod"}} {
		want := ruleStatuses(t, append([]string{"--input", hardenedFile}, stack...)...)
		if len(want) < 50 {
			t.Fatalf("plan verdicts: %v", want)
		}
		if i := slices.Index(want, "PASS "+releaseRule); i < 0 {
			t.Fatalf("plan verdicts lack PASS %s: %v", releaseRule, want)
		} else {
			want[i] = "NOT-APPLICABLE " + releaseRule
			sort.Strings(want)
		}
		for _, tt := range []struct {
			file, kind           string
			resources, notJudged int
		}{
			{"hardened-template.json", "arm-template", 26, 0},
			// Also the workspace and a DNS zone, and an alert rule the
			// table does not know.
			{"hardened-resources.json", "azure-resource-list", 28, 1},
		} {
			args := append([]string{"--input", armDir + tt.file}, stack...)
			res, code, errOut := checkJSON(t, args...)
			if code != 0 || len(res.Violations) != 0 || res.Kind != tt.kind || res.Resources != tt.resources || len(res.NotJudged) != tt.notJudged {
				t.Errorf("%s %v: exit %d kind %s resources %d not judged %v violations %+v\n%s", tt.file, stack, code, res.Kind, res.Resources, res.NotJudged, res.Violations, errOut)
			}
			if got := ruleStatuses(t, args...); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s %v: verdicts differ from the plan's\n got %v\nwant %v", tt.file, stack, got, want)
			}
		}
	}
}

// A portal-style deployment: Standard Front Door without a WAF security
// policy, the app open to the internet, storage with shared keys.
func TestARMWeakPortalDeployment(t *testing.T) {
	res, code, _ := checkJSON(t, "--input", armDir+"weak-portal-resources.json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	got := map[string]bool{}
	for _, v := range res.Violations {
		got[v.Policy] = true
	}
	for _, id := range []string{
		"frontdoor-waf-coverage", "appservice-frontdoor-only", "appservice-scm-restricted", "appservice-https-only",
		"storage-no-shared-key", "storage-public-network-disabled", "storage-private-endpoint",
		"frontdoor-route-forward-https", "diagnostics-webapp", "diagnostics-frontdoor",
	} {
		if !got[id] {
			t.Errorf("no %s violation in %v", id, got)
		}
	}
}

// Expressions are unknown without the parameters file, so the settings
// they carry fail closed by name; with it the template passes.
func TestARMExpressions(t *testing.T) {
	tmpl := armDir + "expressions-template.json"
	res, code, _ := checkJSON(t, "--input", tmpl)
	if code != 1 {
		t.Fatalf("without parameters: exit %d", code)
	}
	props := map[string]string{}
	for _, v := range res.Violations {
		props[v.Policy+" "+v.Property] = v.Message
	}
	for _, want := range []string{
		"appservice-https-only httpsOnly", "appservice-min-tls siteConfig.minTlsVersion",
		"waf-prevention-mode policySettings.mode", "storage-no-shared-key allowSharedKeyAccess",
	} {
		if msg, ok := props[want]; !ok || !strings.Contains(msg, "unknown") {
			t.Errorf("want %s to fail as unknown, got %q (all: %v)", want, msg, props)
		}
	}
	res, code, errOut := checkJSON(t, "--input", tmpl, "--parameters", armDir+"expressions-template.parameters.json", "--stack", "prod")
	if code != 0 || res.Resources != 26 {
		t.Errorf("with parameters: exit %d, %d resources, %+v\n%s", code, res.Resources, res.Violations, errOut)
	}
}

// An ARM input of types the table does not know judges nothing: exit 2,
// naming what was not judged.
func TestARMNothingJudged(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sql.json")
	os.WriteFile(file, []byte(`[{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/db", "type": "Microsoft.Sql/servers", "properties": {}}]`), 0o600)
	_, errOut, code := run(t, "", "--input", file)
	if code != 2 || !strings.Contains(errOut, "nothing to judge") || !strings.Contains(errOut, "Microsoft.Sql/servers") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
