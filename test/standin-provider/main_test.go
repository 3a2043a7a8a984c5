package main

import (
	"context"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/streamsec/streamsec/internal/azschema"
)

func TestComputedOutputs(t *testing.T) {
	str := resource.NewStringProperty
	cases := []struct {
		typ    string
		inputs resource.PropertyMap
		id     string
		path   string
		want   string
	}{
		{"azure-native:web:WebApp", resource.PropertyMap{"name": str("app1"), "resourceGroupName": str("rg1")},
			"/subscriptions/" + FakeSubscriptionID + "/resourceGroups/rg1/providers/Microsoft.Web/sites/app1", "defaultHostName", "app1.azurewebsites.net"},
		{"azure-native:cdn/v20240201:Profile", resource.PropertyMap{"profileName": str("fd"), "resourceGroupName": str("rg1")},
			"/subscriptions/" + FakeSubscriptionID + "/resourceGroups/rg1/providers/Microsoft.Cdn/profiles/fd", "", ""},
		{"azure-native:keyvault:Secret", resource.PropertyMap{"vaultName": str("kv"), "secretName": str("s"), "resourceGroupName": str("rg1")},
			"/subscriptions/" + FakeSubscriptionID + "/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv/secrets/s", "", ""},
		{"azure-native:insights:DiagnosticSetting", resource.PropertyMap{"name": str("d"), "resourceUri": str("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/app1")},
			"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/app1/providers/Microsoft.Insights/diagnosticSettings/d", "", ""},
	}
	for _, c := range cases {
		id, outs := computeOutputs(c.typ, "urnname", c.inputs)
		if id != c.id {
			t.Errorf("%s: id %q, want %q", c.typ, id, c.id)
		}
		if c.path != "" && outs[resource.PropertyKey(c.path)].StringValue() != c.want {
			t.Errorf("%s: %s = %v", c.typ, c.path, outs[resource.PropertyKey(c.path)])
		}
	}
	_, outs := computeOutputs("azure-native:cdn:Profile", "fd", resource.PropertyMap{"profileName": str("fd")})
	if id := outs["frontDoorId"].StringValue(); len(id) != 36 || strings.Count(id, "-") != 4 {
		t.Errorf("frontDoorId %q is not GUID-shaped", id)
	}
	_, again := computeOutputs("azure-native:cdn:Profile", "fd", resource.PropertyMap{"profileName": str("fd")})
	if again["frontDoorId"] != outs["frontDoorId"] {
		t.Errorf("frontDoorId not deterministic")
	}
	_, outs = computeOutputs("azure-native:keyvault:Vault", "kv", resource.PropertyMap{"vaultName": str("kv"), "properties": resource.NewObjectProperty(resource.PropertyMap{"enableRbacAuthorization": resource.NewBoolProperty(true)})})
	props := outs["properties"].ObjectValue()
	if props["vaultUri"].StringValue() != "https://kv.vault.azure.net/" || !props["enableRbacAuthorization"].BoolValue() {
		t.Errorf("vault properties %v", props)
	}
}

func TestDiffEchoesInputs(t *testing.T) {
	p := &standin{}
	in := resource.PropertyMap{"httpsOnly": resource.NewBoolProperty(true)}
	olds, _ := marshal(in)
	same, _ := marshal(in)
	changed, _ := marshal(resource.PropertyMap{"httpsOnly": resource.NewBoolProperty(false)})
	res, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{Urn: "u", OldInputs: olds, News: same})
	if err != nil || res.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("same inputs: %v %v", res, err)
	}
	res, err = p.Diff(context.Background(), &pulumirpc.DiffRequest{Urn: "u", OldInputs: olds, News: changed})
	if err != nil || res.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(res.Diffs) != 1 || res.Diffs[0] != "httpsOnly" {
		t.Errorf("changed inputs: %v %v", res, err)
	}
}

func TestInvokeClientConfig(t *testing.T) {
	p := &standin{}
	res, err := p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "azure-native:authorization:getClientConfig"})
	if err != nil || res.Return.Fields["subscriptionId"].GetStringValue() != FakeSubscriptionID {
		t.Errorf("getClientConfig: %v %v", res, err)
	}
	if _, err := p.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "azure-native:web:listWebAppPublishingCredentials"}); err == nil {
		t.Errorf("unsimulated function answered")
	}
}

func TestCreatePreviewUnknownMode(t *testing.T) {
	str := resource.NewStringProperty
	in := resource.PropertyMap{
		"endpointName":      str("ep"),
		"profileName":       str("fd"),
		"resourceGroupName": str("rg1"),
		"tags":              resource.NewObjectProperty(resource.PropertyMap{"env": str("dev")}),
	}
	vaultIn := resource.PropertyMap{
		"vaultName":  str("kv"),
		"properties": resource.NewObjectProperty(resource.PropertyMap{"enableRbacAuthorization": resource.NewBoolProperty(true)}),
		"identity":   resource.NewObjectProperty(resource.PropertyMap{"type": str("SystemAssigned")}),
	}
	cases := []struct {
		name     string
		env      string
		preview  bool
		typ      string
		inputs   resource.PropertyMap
		unknown  []string // paths that must be unknown
		known    []string // paths that must be known
		wantNoID bool
	}{
		{"default preview knows outputs", "", true, "azure-native:cdn:AFDEndpoint", in, nil, []string{"hostName", "id", "endpointName"}, true},
		{"realistic preview", "1", true, "azure-native:cdn:AFDEndpoint", in, []string{"hostName", "id", "name", "azureApiVersion"}, []string{"endpointName", "profileName", "tags.env"}, true},
		{"realistic preview nested", "1", true, "azure-native:keyvault:Vault", vaultIn, []string{"properties.vaultUri", "identity.principalId", "identity.tenantId", "id"}, []string{"properties.enableRbacAuthorization", "identity.type", "vaultName"}, true},
		{"realistic mode, real create", "1", false, "azure-native:cdn:AFDEndpoint", in, nil, []string{"hostName", "id"}, false},
		{"mode off with 0", "0", true, "azure-native:cdn:AFDEndpoint", in, nil, []string{"hostName", "id"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("STANDIN_UNKNOWN_AT_PREVIEW", c.env)
			props, err := marshal(c.inputs)
			if err != nil {
				t.Fatal(err)
			}
			res, err := (&standin{}).Create(context.Background(), &pulumirpc.CreateRequest{
				Urn: "urn:pulumi:dev::streamsec::" + c.typ + "::x", Type: c.typ, Name: "x", Properties: props, Preview: c.preview,
			})
			if err != nil {
				t.Fatal(err)
			}
			if (res.Id == "") != c.wantNoID {
				t.Errorf("id %q", res.Id)
			}
			outs, err := unmarshal(res.Properties)
			if err != nil {
				t.Fatal(err)
			}
			obj := resource.PropertyValue{V: outs}
			get := func(path string) (resource.PropertyValue, bool) {
				v := obj
				for _, k := range strings.Split(path, ".") {
					if !v.IsObject() {
						return v, false
					}
					var ok bool
					v, ok = v.ObjectValue()[resource.PropertyKey(k)]
					if !ok {
						return v, false
					}
				}
				return v, true
			}
			for _, p := range c.unknown {
				if v, ok := get(p); !ok || !v.IsComputed() {
					t.Errorf("%s = %v (present %v), want unknown", p, v, ok)
				}
			}
			for _, p := range c.known {
				if v, ok := get(p); !ok || v.ContainsUnknowns() {
					t.Errorf("%s = %v (present %v), want known", p, v, ok)
				}
			}
		})
	}
}

// TestCheckJudgesAgainstSchema: Check fails what Azure would refuse, with the
// property path, and passes computed values.
func TestCheckJudgesAgainstSchema(t *testing.T) {
	schema, err := azschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	p := &standin{schema: schema}
	str := resource.NewStringProperty
	obj := func(m resource.PropertyMap) resource.PropertyValue { return resource.NewObjectProperty(m) }
	app := func(site resource.PropertyMap) resource.PropertyMap {
		return resource.PropertyMap{"resourceGroupName": str("rg"), "name": str("app"), "siteConfig": obj(site)}
	}
	cases := []struct {
		name, typ string
		inputs    resource.PropertyMap
		want      []string // failing property paths
	}{
		{"valid", "azure-native:web:WebApp", app(resource.PropertyMap{"minTlsVersion": str("1.2")}), nil},
		{"misspelled", "azure-native:web:WebApp", app(resource.PropertyMap{"minTLSVersion": str("1.2")}), []string{"siteConfig.minTLSVersion"}},
		{"wrong type", "azure-native:web:WebApp", app(resource.PropertyMap{"http20Enabled": str("yes")}), []string{"siteConfig.http20Enabled"}},
		{"computed passes", "azure-native:web:WebApp", app(resource.PropertyMap{"minTlsVersion": resource.MakeComputed(str(""))}), nil},
		{"secret passes", "azure-native:web:WebApp", app(resource.PropertyMap{"appSettings": resource.MakeSecret(str("x"))}), nil},
		{"missing required", "azure-native:keyvault:Secret", resource.PropertyMap{"resourceGroupName": str("rg"), "vaultName": str("kv"), "secretName": str("s")}, []string{"properties"}},
		{"type not in the table", "azure-native:compute:VirtualMachine", resource.PropertyMap{}, []string{""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			news, err := marshal(tc.inputs)
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Check(context.Background(), &pulumirpc.CheckRequest{
				Urn: "urn:pulumi:dev::streamsec::" + tc.typ + "::x", News: news,
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.GetFailures() {
				got = append(got, f.GetProperty())
				if f.GetReason() == "" {
					t.Errorf("failure at %q has no reason", f.GetProperty())
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("failures at %q, want %q (%v)", got, tc.want, res.GetFailures())
			}
		})
	}
}
