package rules

import (
	"strings"
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

// TestAzureSchemaVersions: a versioned token at the table's API version is
// judged like the default token; one at another API version is reported as
// not judged, never passed.
func TestAzureSchemaVersions(t *testing.T) {
	inputs := map[string]any{"resourceGroupName": "rg", "accountName": "st1", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}}
	for _, tc := range []struct {
		typ  string
		want string // "" for no azure-schema violation
	}{
		{"azure-native:storage:StorageAccount", ""},
		{"azure-native:storage/v20220901:StorageAccount", ""},
		{"azure-native:storage/v20230501:StorageAccount", "cannot be judged"},
	} {
		r := inventory.Resource{URN: "urn:pulumi:dev::p::" + tc.typ + "::st", Type: tc.typ, Name: "st", Inputs: inputs}
		vs := EvaluateRules(schemaRules(), []inventory.Resource{r}, DefaultConfig())
		switch {
		case tc.want == "" && len(vs) != 0:
			t.Errorf("%s: %v", tc.typ, vs)
		case tc.want != "" && (len(vs) != 1 || !strings.Contains(vs[0].Message, tc.want) || vs[0].Severity != string(Mandatory)):
			t.Errorf("%s: got %v, want one mandatory violation saying %q", tc.typ, vs, tc.want)
		}
	}
}
