package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/streamsec/streamsec/policy-packs/pack/packtest"
)

func TestPackOverGRPC(t *testing.T) {
	dir, _ := os.Getwd()
	client := packtest.Start(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The stack's own config sets the allowed origin the WAF rule expects.
	packtest.Configure(t, ctx, client, dir, "prod",
		map[string]string{"streamsec:appName": "dashboard", "streamsec:namePrefix": "acme", "streamsec:domain": "dash.example.com"})
	info, err := client.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatalf("GetAnalyzerInfo: %v", err)
	}
	if info.Name != "websocket-hardening" || info.Version == "" || !info.SupportsConfig {
		t.Errorf("info: %v", info)
	}
	policies := map[string]*pulumirpc.PolicyInfo{}
	for _, p := range info.Policies {
		policies[p.Name] = p
	}
	for _, want := range []string{"appservice-websockets-enabled", "streamlit-cors-enabled", "waf-origin-allowlist", "frontdoor-hsts"} {
		if policies[want] == nil {
			t.Errorf("policy %s missing", want)
		}
	}
	if p := policies["waf-origin-allowlist"]; p == nil || p.ConfigSchema == nil || p.EnforcementLevel != pulumirpc.EnforcementLevel_MANDATORY {
		t.Errorf("waf-origin-allowlist: %v", p)
	}

	webApp := map[string]any{
		"httpsOnly": false,
		"siteConfig": map[string]any{
			"webSocketsEnabled": false,
			"appSettings": []any{
				map[string]any{"name": "STREAMLIT_SERVER_ENABLE_CORS", "value": "false"},
				map[string]any{"name": "STREAMLIT_SERVER_COOKIE_SECRET", "value": resource.MakeSecret(resource.NewStringProperty("hunter2"))},
			},
			"ipSecurityRestrictionsDefaultAction": resource.MakeComputed(resource.NewStringProperty("")),
		},
	}
	urn := "urn:pulumi:prod::streamsec::azure-native:web/v20240401:WebApp::app"
	res, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{
		Urn: urn, Type: "azure-native:web/v20240401:WebApp", Name: "app", Properties: packtest.Props(t, webApp),
	})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	got := map[string]*pulumirpc.AnalyzeDiagnostic{}
	for _, d := range res.Diagnostics {
		got[d.PolicyName] = d
		if strings.Contains(d.Message, "hunter2") {
			t.Errorf("secret leaked into %s: %s", d.PolicyName, d.Message)
		}
	}
	for _, want := range []string{"appservice-websockets-enabled", "streamlit-cors-enabled", "appservice-frontdoor-only", "streamlit-cookie-secret-keyvault"} {
		d := got[want]
		if d == nil {
			t.Errorf("Analyze: no %s violation; got %v", want, res.Diagnostics)
			continue
		}
		if d.Urn != urn || d.EnforcementLevel != pulumirpc.EnforcementLevel_MANDATORY || d.PolicyPackName != "websocket-hardening" {
			t.Errorf("%s: %v", want, d)
		}
	}
	if d := got["appservice-frontdoor-only"]; d != nil && !strings.Contains(d.Message, "cannot be proven") {
		t.Errorf("computed default action should fail closed: %s", d.Message)
	}

	// Lowering a rule by policy config changes its level; disabling drops it.
	cfgAdvisory, _ := structpb.NewStruct(map[string]any{})
	if _, err := client.Configure(ctx, &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: map[string]*pulumirpc.PolicyConfig{
		"streamlit-cors-enabled":        {EnforcementLevel: pulumirpc.EnforcementLevel_ADVISORY, Properties: cfgAdvisory},
		"appservice-websockets-enabled": {EnforcementLevel: pulumirpc.EnforcementLevel_DISABLED, Properties: cfgAdvisory},
	}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	res, err = client.Analyze(ctx, &pulumirpc.AnalyzeRequest{Urn: urn, Type: "azure-native:web:WebApp", Name: "app", Properties: packtest.Props(t, webApp)})
	if err != nil {
		t.Fatalf("Analyze after Configure: %v", err)
	}
	levels := map[string]pulumirpc.EnforcementLevel{}
	for _, d := range res.Diagnostics {
		levels[d.PolicyName] = d.EnforcementLevel
	}
	if levels["streamlit-cors-enabled"] != pulumirpc.EnforcementLevel_ADVISORY {
		t.Errorf("configured advisory level not applied: %v", levels)
	}
	if _, ok := levels["appservice-websockets-enabled"]; ok {
		t.Error("disabled policy still reported")
	}

	// Stack rules: a rule set without HSTS and a web app admitting a Front
	// Door id with no profile in the stack.
	stack := []*pulumirpc.AnalyzerResource{
		{Urn: urn, Type: "azure-native:web:WebApp", Name: "app", Properties: packtest.Props(t, map[string]any{
			"siteConfig": map[string]any{"ipSecurityRestrictions": []any{map[string]any{
				"action": "Allow", "tag": "ServiceTag", "ipAddress": "AzureFrontDoor.Backend",
				"headers": map[string]any{"x-azure-fdid": []any{"11111111-2222-3333-4444-555555555555"}},
			}}},
		})},
		{Urn: "urn:pulumi:prod::streamsec::azure-native:cdn:Route::route", Type: "azure-native:cdn:Route", Name: "route", Properties: packtest.Props(t, map[string]any{"httpsRedirect": "Enabled"})},
		{Urn: "urn:pulumi:prod::streamsec::azure-native:cdn:Rule::headers", Type: "azure-native:cdn:Rule", Name: "headers", Properties: packtest.Props(t, map[string]any{
			"actions": []any{map[string]any{"name": "ModifyResponseHeader", "parameters": map[string]any{"headerAction": "Overwrite", "headerName": "X-Content-Type-Options", "value": "nosniff"}}},
		})},
	}
	sres, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: stack})
	if err != nil {
		t.Fatalf("AnalyzeStack: %v", err)
	}
	sgot := map[string]*pulumirpc.AnalyzeDiagnostic{}
	for _, d := range sres.Diagnostics {
		sgot[d.PolicyName] = d
	}
	for _, want := range []string{"frontdoor-hsts", "frontdoor-csp", "appservice-frontdoor-id"} {
		if sgot[want] == nil {
			t.Errorf("AnalyzeStack: no %s violation; got %v", want, sres.Diagnostics)
		}
	}
	if _, ok := sgot["frontdoor-nosniff"]; ok {
		t.Error("nosniff is set but reported")
	}
	if d := sgot["appservice-frontdoor-id"]; d != nil && d.Urn != urn {
		t.Errorf("stack violation names %s, want the web app", d.Urn)
	}
}
