package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

const hostile = "</td><script>alert(1)</script> | ]]> \"quo'te\" & <![CDATA[x]]> `tick` # *bold* [link](http://x) \x00\x01\x1b[31m\nsecond line"

// sampleDoc has one result of every status, hostile strings everywhere a
// command might put user input, and a result whose rule is not listed.
func sampleDoc() Document {
	return Document{
		Tool: "streamsec", Version: "1.2.3", Command: "check", Target: "in<put>.json",
		Rules: []Rule{
			{ID: "appservice-https-only", Title: "HTTPS only", Description: "why " + hostile, Controls: []string{"WS-TLS-01"}, Level: LevelError},
			{ID: "waf-bot-manager", Title: "Bots", Description: "bots", Controls: []string{"WS-DOS-02"}, Level: LevelWarning},
		},
		Results: []Result{
			{RuleID: "appservice-https-only", Status: StatusFail, Level: LevelError, Message: "httpsOnly is false " + hostile,
				Location: "urn:pulumi:prod::streamsec::azure-native:web:WebApp::app", Controls: []string{"WS-TLS-01"},
				Evidence: map[string]string{"property": "httpsOnly", "note": hostile}},
			{RuleID: "waf-bot-manager", Status: StatusFail, Level: LevelWarning, Message: "advisory", Location: "https://dash.example.com/"},
			{RuleID: "waf-bot-manager", Status: StatusPass},
			{RuleID: "unlisted-rule", Status: StatusUnknown, Message: "unknown", Location: "stacks/Pulumi.prod.yaml"},
			{RuleID: "WS-AUTHZ-01", Status: StatusResidual, Message: "app's job"},
			{RuleID: "WS-X", Status: StatusNotApplicable},
			{RuleID: "WS-Y", Status: StatusMet},
			{RuleID: "WS-Z", Status: StatusNotMet, Message: "no"},
		},
	}
}

func render(t *testing.T, format string, d Document) string {
	t.Helper()
	r, err := New(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.Report(&buf, d); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.String()
}

func TestSARIFStructure(t *testing.T) {
	out := render(t, "sarif", sampleDoc())
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name, InformationURI, Version string
					Rules                         []struct {
						ID, Name                                string
						ShortDescription, FullDescription, Help struct{ Text string }
						Properties                              struct{ Tags []string }
						DefaultConfiguration                    struct{ Level string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex *int
				Level     string
				Kind      string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation *struct{ ArtifactLocation struct{ URI string } }
					LogicalLocations []struct{ FullyQualifiedName, Kind string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if log.Version != "2.1.0" || !strings.Contains(log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("bad header: %+v", log)
	}
	run := log.Runs[0]
	d := run.Tool.Driver
	if d.Name != "streamsec" || d.InformationURI == "" || d.Version != "1.2.3" {
		t.Errorf("bad driver: %+v", d)
	}
	for _, r := range d.Rules {
		if r.ID == "" || r.Name == "" || r.ShortDescription.Text == "" || r.FullDescription.Text == "" || r.Help.Text == "" || r.DefaultConfiguration.Level == "" {
			t.Errorf("incomplete rule %+v", r)
		}
	}
	if d.Rules[0].Name != "AppserviceHttpsOnly" || d.Rules[0].Properties.Tags[0] != "WS-TLS-01" {
		t.Errorf("rule 0: %+v", d.Rules[0])
	}
	if len(run.Results) != len(sampleDoc().Results) {
		t.Fatalf("%d results", len(run.Results))
	}
	validLevel := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	validKind := map[string]bool{"notApplicable": true, "pass": true, "fail": true, "review": true, "open": true, "informational": true}
	for i, r := range run.Results {
		if r.RuleIndex == nil || *r.RuleIndex >= len(d.Rules) || d.Rules[*r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex does not point at %s", i, r.RuleID)
		}
		if !validLevel[r.Level] || !validKind[r.Kind] || r.Message.Text == "" {
			t.Errorf("result %d: level %q kind %q message %q", i, r.Level, r.Kind, r.Message.Text)
		}
		if r.Kind != "fail" && r.Level != "none" {
			t.Errorf("result %d: non-failure with level %s", i, r.Level)
		}
	}
	first := run.Results[0]
	if first.Level != "error" || first.Kind != "fail" || first.Locations[0].LogicalLocations[0].Kind != "resource" ||
		!strings.HasPrefix(first.Locations[0].LogicalLocations[0].FullyQualifiedName, "urn:pulumi:") {
		t.Errorf("first result: %+v", first)
	}
	if run.Results[1].Level != "warning" {
		t.Errorf("advisory result level %s", run.Results[1].Level)
	}
	if p := run.Results[3].Locations[0].PhysicalLocation; p == nil || p.ArtifactLocation.URI != "stacks/Pulumi.prod.yaml" {
		t.Errorf("file location not physical: %+v", run.Results[3].Locations)
	}
	if !strings.Contains(first.Message.Text, "<script>") {
		t.Error("message content lost (JSON escaping must keep it exact)")
	}
}

func TestFormatsRegistered(t *testing.T) {
	for _, f := range []string{"text", "json", "markdown", "html", "sarif", "junit", "SARIF"} {
		if _, err := New(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := New("pdf"); err == nil || !strings.Contains(err.Error(), "junit") {
		t.Errorf("unknown format error should list formats: %v", err)
	}
}

func TestEmptyDocument(t *testing.T) {
	for _, f := range []string{"markdown", "html", "sarif", "junit"} {
		if out := render(t, f, Document{}); out == "" {
			t.Errorf("%s printed nothing", f)
		}
	}
}

func FuzzReporters(f *testing.F) {
	f.Add("urn:pulumi:a::b::c::d", hostile, "WS-TLS-01")
	f.Add("", "\xff\xfe", "")
	f.Fuzz(func(t *testing.T, loc, msg, ctl string) {
		d := sampleDoc()
		d.Results = append(d.Results, Result{RuleID: msg, Status: StatusFail, Level: LevelError, Message: msg, Location: loc, Controls: []string{ctl}, Evidence: map[string]string{msg: loc}})
		d.Target = msg
		for _, name := range []string{"markdown", "html", "sarif", "junit"} {
			r, _ := New(name)
			var buf bytes.Buffer
			if err := r.Report(&buf, d); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if name == "junit" {
				checkJUnit(t, buf.Bytes())
			}
			if name == "sarif" && !json.Valid(buf.Bytes()) {
				t.Fatal("invalid SARIF JSON")
			}
		}
	})
}
