package azweb

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func TestToInput(t *testing.T) {
	capacity := 3
	no := false
	for _, tc := range []struct {
		name string
		in   any
		want pulumi.Input
	}{
		{"omitempty drops zero values, keeps false behind a pointer",
			&SiteConfig{MinTlsVersion: "1.2", RemoteDebuggingEnabled: &no},
			pulumi.Map{"minTlsVersion": pulumi.String("1.2"), "remoteDebuggingEnabled": pulumi.Bool(false)}},
		{"fields without omitempty stay even when false",
			&PublishingCredentialsArgs{Name: pulumi.String("app"), Allow: false},
			pulumi.Map{"name": pulumi.String("app"), "allow": pulumi.Bool(false)}},
		{"nested structs, pointers and maps",
			&AppServicePlanArgs{Name: "plan", Sku: &SkuDescription{Name: "B1", Capacity: &capacity}, Tags: map[string]string{"a": "b"}},
			pulumi.Map{"name": pulumi.String("plan"), "sku": pulumi.Map{"name": pulumi.String("B1"), "capacity": pulumi.Int(3)}, "tags": pulumi.Map{"a": pulumi.String("b")}}},
		{"slices of structs",
			&SiteConfig{IpSecurityRestrictions: []IpSecurityRestriction{{Name: "x", Tag: "ServiceTag"}}},
			pulumi.Map{"ipSecurityRestrictions": pulumi.Array{pulumi.Map{"name": pulumi.String("x"), "tag": pulumi.String("ServiceTag")}}}},
		{"nil interface inputs are left out",
			&WebAppArgs{Name: "app"},
			pulumi.Map{"name": pulumi.String("app")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ToInput(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ToInput = %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestRegisterRefusesNilArgs(t *testing.T) {
	if err := register(nil, TokenWebApp, "x", (*WebAppArgs)(nil), nil, nil); err == nil {
		t.Error("nil args: want an error")
	}
}
