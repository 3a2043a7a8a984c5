package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/streamsec/streamsec/components"
	"github.com/streamsec/streamsec/internal/azschema"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/policy-packs/rules"
)

// TestReleaseMatchesAzureSchema: what Azure receives when a package ships
// (the OneDeploy deployment, the package store, its container and role)
// passes the strict schema table by type token and property path, keeps the
// read URI secret and breaks no rule.
func TestReleaseMatchesAzureSchema(t *testing.T) {
	table, err := azschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	digest := "sha256:" + strings.Repeat("ab", 32)
	rel := &components.Release{Digest: digest, Blob: "sha256-" + strings.Repeat("ab", 32) + ".zip",
		PackageURI: "https://pkgacmedashboarddev.blob.core.windows.net/app-packages/x.zip?sv=2023-11-03&sig=abc"}
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			s := loadStack(t, stack)
			p, err := RunRelease(context.Background(), s, rel)
			if err != nil {
				t.Fatal(err)
			}
			judged := map[string]int{}
			for _, r := range p.Resources {
				base := inventory.BaseType(r.Type)
				switch {
				case base == "azure-native:resources:Deployment",
					strings.HasSuffix(r.Name, "packages-account"), strings.HasSuffix(r.Name, "packages-container"),
					strings.HasSuffix(r.Name, "packages-deployer-blob-contributor"):
				default:
					continue
				}
				if _, ok := table.Type(r.Type); !ok {
					t.Fatalf("%s (%s): not in the schema table", r.Name, r.Type)
				}
				judged[base]++
				for _, pr := range table.Validate(r.Type, r.Inputs) {
					t.Errorf("%s (%s): %s", r.Name, r.Type, pr)
				}
				if base == "azure-native:resources:Deployment" {
					if !strings.HasSuffix(r.Name, "onedeploy-abababababab") {
						t.Errorf("deployment %s is not named by the digest", r.Name)
					}
					if v, _ := inventory.Lookup(r.Inputs, "properties.parameters.packageUri.value"); v != inventory.SecretMask {
						t.Errorf("packageUri = %v in the plan, want it secret", v)
					}
					if v, _ := inventory.Lookup(r.Inputs, "properties.mode"); v != "Incremental" {
						t.Errorf("mode = %v, want Incremental (a Complete deployment would delete the stack)", v)
					}
				}
			}
			if judged["azure-native:resources:Deployment"] != 1 || judged["azure-native:storage:StorageAccount"] != 1 || judged["azure-native:storage:BlobContainer"] != 1 || judged["azure-native:authorization:RoleAssignment"] != 1 {
				t.Errorf("judged %v, want one deployment, package account, container and role", judged)
			}
			for _, v := range rules.Evaluate(p.Resources, rules.ConfigFromSpec(s)) {
				if v.Severity == string(rules.Mandatory) {
					t.Errorf("release breaks %s: %s", v.Policy, v.Message)
				}
			}
		})
	}
}
