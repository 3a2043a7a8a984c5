package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/inventory"
	offline "github.com/streamsec/streamsec/internal/plan"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

// runCmd runs `streamsec plan args...` against the repo's stacks.
func runCmd(t *testing.T, planFn func(context.Context, *spec.Spec, func(inventory.Resource)) (*offline.Plan, error), args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := &cli.Factory{
		IO:         &cli.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Version:    "test",
		ProjectDir: "../../..",
		Getenv:     func(string) string { return "" },
	}
	cmd := NewCmdPlan(f, func(o *PlanOptions) error {
		if planFn != nil {
			o.Plan = planFn
		}
		return runPlan(context.Background(), o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), cli.ExitCode(err)
}

func TestPlanText(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			out, errOut, code := runCmd(t, nil, "--stack", stack)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, errOut)
			}
			for _, want := range []string{
				"streamsec:components:HardenedStack  streamsec\n",
				"├─ streamsec:components:AppService  streamsec-appservice\n",
				"│  ├─ azure-native:web:WebApp  streamsec-appservice-app\n",
				"└─ azure-native:network/v20240201:Policy  streamsec-waf-policy\n",
				"Violations: none\n",
				"0 mandatory",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

func TestPlanJSON(t *testing.T) {
	out, errOut, code := runCmd(t, nil, "--stack", "prod", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	var res struct {
		Stack     string
		Resources []struct {
			URN, Type, Name, Parent string
			Inputs                  map[string]any
		}
		Violations []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.Stack != "prod" || len(res.Resources) < 40 || res.Violations == nil || len(res.Violations) != 0 {
		t.Fatalf("stack %q, %d resources, violations %v", res.Stack, len(res.Resources), res.Violations)
	}
	if !strings.Contains(out, `"violations": []`) {
		t.Error("violations must be an empty array, not null")
	}
	for _, r := range res.Resources {
		if r.URN == "" || r.Type == "" || r.Name == "" || r.Inputs == nil {
			t.Errorf("incomplete resource %+v", r)
		}
	}
	// The same JSON is an input `streamsec check` accepts.
	in, err := inventory.Load([]byte(out))
	if err != nil || len(in.Resources) != len(res.Resources) {
		t.Errorf("inventory.Load: %v (%d resources)", err, len(in.Resources))
	}
}

func TestPlanOtherFormats(t *testing.T) {
	for _, format := range []string{"markdown", "html", "sarif", "junit"} {
		t.Run(format, func(t *testing.T) {
			out, errOut, code := runCmd(t, nil, "--stack", "dev", "--format", format)
			if code != 0 || out == "" {
				t.Fatalf("exit %d, %d bytes, stderr %s", code, len(out), errOut)
			}
		})
	}
}

func TestPlanInputErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"null origin", []string{"--stack", "dev", "--set", "allowedOrigins=null", "--format", "json"}, []string{"allowedOrigins", "null"}},
		{"all problems at once", []string{"--stack", "dev", "--set", "allowedOrigins=http://x.example.com", "--set", "instanceCount=0", "--format", "json"}, []string{"allowedOrigins", "instanceCount", "2 problem(s)"}},
		{"unknown key", []string{"--stack", "dev", "--set", "nope=1"}, []string{"nope"}},
		{"unknown stack", []string{"--stack", "qa"}, []string{"Pulumi.qa.yaml"}},
		{"bad format", []string{"--stack", "dev", "--format", "yaml"}, []string{"--format", "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			fake := func(context.Context, *spec.Spec, func(inventory.Resource)) (*offline.Plan, error) {
				called = true
				return &offline.Plan{}, nil
			}
			out, errOut, code := runCmd(t, fake, tc.args...)
			if code != cli.ExitUsage {
				t.Fatalf("exit %d, want 2; stderr %s", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout must be empty on input errors, got %q", out)
			}
			if called {
				t.Error("the plan ran despite the input error")
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q: %s", w, errOut)
				}
			}
		})
	}
}

// A mandatory violation exits 1 after printing the findings.
func TestPlanMandatoryViolationExits1(t *testing.T) {
	insecure := func(_ context.Context, s *spec.Spec, _ func(inventory.Resource)) (*offline.Plan, error) {
		return &offline.Plan{Stack: s.Stack, Resources: []inventory.Resource{{
			URN:    "urn:pulumi:dev::streamsec::azure-native:web:WebApp::app",
			Type:   "azure-native:web:WebApp",
			Name:   "app",
			Inputs: map[string]any{"httpsOnly": false, "siteConfig": map[string]any{"minTlsVersion": "1.0"}},
		}}}, nil
	}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			out, _, code := runCmd(t, insecure, "--stack", "dev", "--format", format)
			if code != cli.ExitFailed {
				t.Fatalf("exit %d, want 1", code)
			}
			if !strings.Contains(out, "httpsOnly") && !strings.Contains(out, "https") {
				t.Errorf("output does not name the violation:\n%s", out)
			}
		})
	}
}

// TestPlanAzureSchemaExits1: the program's own plan with one nested required
// property removed, or a hardening setting misspelled, exits 1 naming the
// rule azure-schema and the property path.
func TestPlanAzureSchemaExits1(t *testing.T) {
	edit := func(typ string, f func(in map[string]any)) func(context.Context, *spec.Spec, func(inventory.Resource)) (*offline.Plan, error) {
		return func(ctx context.Context, s *spec.Spec, _ func(inventory.Resource)) (*offline.Plan, error) {
			p, err := offline.Run(ctx, s)
			if err != nil {
				return nil, err
			}
			found := false
			for _, r := range p.Resources {
				if inventory.BaseType(r.Type) == typ {
					f(r.Inputs)
					found = true
				}
			}
			if !found {
				t.Fatalf("plan has no %s", typ)
			}
			return p, nil
		}
	}
	cases := []struct {
		name, path string
		plan       func(context.Context, *spec.Spec, func(inventory.Resource)) (*offline.Plan, error)
	}{
		{"nested required removed", "customRules.rules.2.matchConditions.1.matchValue", edit("azure-native:network:Policy", func(in map[string]any) {
			rules := in["customRules"].(map[string]any)["rules"].([]any)
			delete(rules[2].(map[string]any)["matchConditions"].([]any)[1].(map[string]any), "matchValue")
		})},
		{"misspelled property", "siteConfig.minTLSVersion", edit("azure-native:web:WebApp", func(in map[string]any) {
			sc := in["siteConfig"].(map[string]any)
			sc["minTLSVersion"] = sc["minTlsVersion"]
			delete(sc, "minTlsVersion")
		})},
	}
	for _, tc := range cases {
		for _, format := range []string{"text", "json"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				out, _, code := runCmd(t, tc.plan, "--stack", "dev", "--format", format)
				if code != cli.ExitFailed {
					t.Fatalf("exit %d, want 1\n%s", code, out)
				}
				for _, want := range []string{"azure-schema", tc.path} {
					if !strings.Contains(out, want) {
						t.Errorf("output lacks %q:\n%s", want, out)
					}
				}
			})
		}
	}
}

// TestPlanJudgesAsTheProgramRegisters: plan hands the judge every resource
// while the program runs (offline.Observe), and what it reports is what
// judging the finished plan gives: the JSON's violations and rules are
// rules.Run's on the plan's resources, also for a stack with violations.
func TestPlanJudgesAsTheProgramRegisters(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  []string
	}{{"hardened", nil}, {"waf in detection", []string{"--set", "wafMode=Detection"}}} {
		set := tt.set
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var told int
			var planned *offline.Plan
			var cfg rules.Config
			observe := func(ctx context.Context, s *spec.Spec, each func(inventory.Resource)) (*offline.Plan, error) {
				if each == nil {
					t.Fatal("plan passed no judge to the program")
				}
				cfg = rules.ConfigFromSpec(s)
				p, err := offline.Observe(ctx, s, func(r inventory.Resource) {
					mu.Lock()
					told++
					mu.Unlock()
					each(r)
				})
				planned = p
				return p, err
			}
			out, errOut, code := runCmd(t, observe, append([]string{"--stack", "dev", "--format", "json"}, set...)...)
			if code == cli.ExitUsage {
				t.Fatalf("exit 2: %s", errOut)
			}
			if told != len(planned.Resources) || told == 0 {
				t.Errorf("the judge was told of %d resources, the plan holds %d", told, len(planned.Resources))
			}
			var got struct {
				Violations []rules.Violation `json:"violations"`
				Rules      []rules.Verdict   `json:"rules"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			want := rules.Run(rules.All(), planned.Resources, cfg)
			if !reflect.DeepEqual(got.Violations, want.Violations) || !reflect.DeepEqual(got.Rules, want.Verdicts) {
				t.Errorf("plan reported other verdicts than judging the finished plan\n got %v\nwant %v", got.Violations, want.Violations)
			}
			if set != nil && len(want.Violations) == 0 {
				t.Fatal("the weakened stack has no violation; the comparison proves little")
			}
		})
	}
}
