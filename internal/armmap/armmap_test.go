package armmap

import (
	"reflect"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

func mapper(t *testing.T) inventory.ARMMapper {
	t.Helper()
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMapARM: ARM bodies come back as azure-native inputs, with the
// table (internal/azschema) as the only source of where each lives.
func TestMapARM(t *testing.T) {
	const rgID = "/subscriptions/s/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/"
	tests := []struct {
		name      string
		in        inventory.ARMResource
		token     string
		want      map[string]any // inputs that must be there, with these values
		absent    []string       // inputs that must not be there
		noteLike  string         // "" when no note is expected
		unmapped  string         // the reason, when the table has no entry
		deepEqual bool           // want is all of the inputs
	}{
		{
			name: "flattened and renamed properties, template group unknown",
			in: inventory.ARMResource{Type: "Microsoft.Storage/storageAccounts", APIVersion: "2022-09-01", Names: []any{"stacct"},
				Body: map[string]any{"location": "westeurope", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_ZRS"},
					"properties": map[string]any{"supportsHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_2", "networkAcls": map[string]any{"defaultAction": "Deny"}}}},
			token: "azure-native:storage:StorageAccount",
			want: map[string]any{"accountName": "stacct", "resourceGroupName": inventory.Unknown, "location": "westeurope", "kind": "StorageV2",
				"sku": map[string]any{"name": "Standard_ZRS"}, "enableHttpsTrafficOnly": true, "minimumTlsVersion": "TLS1_2",
				"networkRuleSet": map[string]any{"defaultAction": "Deny"}},
			deepEqual: true,
		},
		{
			name: "the group from the id; ARM names are case-insensitive",
			in: inventory.ARMResource{ID: rgID + "stacct", Type: "microsoft.storage/STORAGEACCOUNTS", APIVersion: "2022-09-01", Names: []any{"stacct"},
				Body: map[string]any{"Properties": map[string]any{"SupportsHttpsTrafficOnly": false}}},
			token: "azure-native:storage:StorageAccount",
			want:  map[string]any{"resourceGroupName": "rg-app", "enableHttpsTrafficOnly": false},
		},
		{
			name: "a placeholder group is unknown",
			in: inventory.ARMResource{ID: "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/stacct",
				Type: "Microsoft.Storage/storageAccounts", APIVersion: "2022-09-01", Names: []any{"stacct"}, Body: map[string]any{}},
			token: "azure-native:storage:StorageAccount",
			want:  map[string]any{"resourceGroupName": inventory.Unknown},
		},
		{
			name: "parents' names go to their inputs",
			in: inventory.ARMResource{Type: "Microsoft.Storage/storageAccounts/blobServices/containers", APIVersion: "2022-09-01",
				Names: []any{"stacct", "default", "packages"}, Body: map[string]any{"properties": map[string]any{"publicAccess": "None"}}},
			token: "azure-native:storage:BlobContainer",
			want:  map[string]any{"accountName": "stacct", "containerName": "packages", "publicAccess": "None"},
		},
		{
			name: "a template keeps a name the table does not know, lifted out of properties",
			in: inventory.ARMResource{Type: "Microsoft.Storage/storageAccounts", APIVersion: "2022-09-01", Names: []any{"stacct"},
				Body: map[string]any{"properties": map[string]any{"supportsHttpsTraficOnly": true}}},
			token:  "azure-native:storage:StorageAccount",
			want:   map[string]any{"supportsHttpsTraficOnly": true},
			absent: []string{"enableHttpsTrafficOnly"},
		},
		{
			name: "a live resource's unknown names are its read-only values: left out",
			in: inventory.ARMResource{Type: "Microsoft.Storage/storageAccounts", APIVersion: "2022-09-01", Names: []any{"stacct"}, Live: true,
				Body: map[string]any{"properties": map[string]any{"supportsHttpsTrafficOnly": true, "provisioningState": "Succeeded", "primaryEndpoints": map[string]any{}}}},
			token:  "azure-native:storage:StorageAccount",
			want:   map[string]any{"enableHttpsTrafficOnly": true},
			absent: []string{"provisioningState", "primaryEndpoints"},
		},
		{
			name: "a computed value stands for everything below it",
			in: inventory.ARMResource{Type: "Microsoft.Storage/storageAccounts", APIVersion: "2022-09-01", Names: []any{"stacct"},
				Body: map[string]any{"properties": inventory.Unknown}},
			token: "azure-native:storage:StorageAccount",
			want:  map[string]any{"enableHttpsTrafficOnly": inventory.Unknown, "minimumTlsVersion": inventory.Unknown},
		},
		{
			name: "a singleton child by its fixed name",
			in: inventory.ARMResource{Type: "Microsoft.Web/sites/basicPublishingCredentialsPolicies", APIVersion: "2022-09-01",
				Names: []any{"app", "scm"}, Body: map[string]any{"properties": map[string]any{"allow": false}}},
			token: "azure-native:web:WebAppScmAllowed",
			want:  map[string]any{"name": "app", "allow": false},
		},
		{
			name: "another API version is judged with the table's, and says so",
			in: inventory.ARMResource{Type: "Microsoft.Storage/storageAccounts", APIVersion: "2019-06-01", Names: []any{"stacct"},
				Body: map[string]any{"properties": map[string]any{"supportsHttpsTrafficOnly": true}}},
			token:    "azure-native:storage:StorageAccount",
			want:     map[string]any{"enableHttpsTrafficOnly": true},
			noteLike: "2019-06-01 judged with the table's API version 2022-09-01",
		},
		{
			name:     "an unknown type is not mapped",
			in:       inventory.ARMResource{Type: "Microsoft.Sql/servers", APIVersion: "2021-11-01", Names: []any{"sql"}, Body: map[string]any{}},
			unmapped: "the schema table has no entry for Microsoft.Sql/servers",
		},
		{
			name: "a singleton child under another name is not mapped, and the reason names it",
			in: inventory.ARMResource{Type: "Microsoft.Web/sites/basicPublishingCredentialsPolicies", APIVersion: "2022-09-01",
				Names: []any{"app", "other"}, Body: map[string]any{}},
			unmapped: `Microsoft.Web/sites/basicPublishingCredentialsPolicies named "other"`,
		},
	}
	m := mapper(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason, ok := m.MapARM(tt.in)
			if tt.unmapped != "" {
				if ok || !strings.Contains(reason, tt.unmapped) {
					t.Fatalf("ok %v, reason %q; want unmapped, %q", ok, reason, tt.unmapped)
				}
				return
			}
			if !ok {
				t.Fatalf("not mapped: %s", reason)
			}
			if got.Token != tt.token {
				t.Errorf("token %s, want %s", got.Token, tt.token)
			}
			if tt.deepEqual && !reflect.DeepEqual(got.Inputs, tt.want) {
				t.Errorf("inputs\n got %v\nwant %v", got.Inputs, tt.want)
			}
			for k, v := range tt.want {
				if !reflect.DeepEqual(got.Inputs[k], v) {
					t.Errorf("%s = %#v, want %#v (inputs %v)", k, got.Inputs[k], v, got.Inputs)
				}
			}
			for _, k := range tt.absent {
				if _, there := got.Inputs[k]; there {
					t.Errorf("%s is in the inputs: %v", k, got.Inputs)
				}
			}
			if (tt.noteLike == "") != (got.Note == "") || !strings.Contains(got.Note, tt.noteLike) {
				t.Errorf("note %q, want one like %q", got.Note, tt.noteLike)
			}
		})
	}
}

// TestMapARMPolymorphic: a Front Door rule's conditions are told apart by
// their discriminator, so each is mapped with its own alternative's shape:
// of a live rule, what that shape does not know (a read-only value) is
// left out.
func TestMapARMPolymorphic(t *testing.T) {
	in := inventory.ARMResource{Type: "Microsoft.Cdn/profiles/ruleSets/rules", APIVersion: "2023-05-01", Names: []any{"fd", "rs", "r1"}, Live: true,
		Body: map[string]any{"properties": map[string]any{"order": 1.0,
			"conditions": []any{map[string]any{"name": "RequestHeader", "parameters": map[string]any{
				"typeName": "DeliveryRuleRequestHeaderConditionParameters", "operator": "Equal", "selector": "Upgrade", "matchValues": []any{"websocket"}, "readOnlyHint": "x"}}},
			"actions": []any{}}}}
	got, reason, ok := mapper(t).MapARM(in)
	if !ok {
		t.Fatal(reason)
	}
	if got.Token != "azure-native:cdn:Rule" || got.Inputs["profileName"] != "fd" || got.Inputs["ruleSetName"] != "rs" || got.Inputs["ruleName"] != "r1" {
		t.Fatalf("token %s, inputs %v", got.Token, got.Inputs)
	}
	conds, _ := got.Inputs["conditions"].([]any)
	if len(conds) != 1 {
		t.Fatalf("conditions %v", got.Inputs["conditions"])
	}
	params, _ := conds[0].(map[string]any)["parameters"].(map[string]any)
	if _, there := params["readOnlyHint"]; there || params["selector"] != "Upgrade" || !reflect.DeepEqual(params["matchValues"], []any{"websocket"}) {
		t.Errorf("condition parameters %v", params)
	}
}
