package main

import (
	"context"
	"os"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/streamsec/streamsec/policy-packs/pack/packtest"
)

// TestPackOverGRPC runs the built azure-baseline binary as the engine does
// and sees a public storage account and an unlogged vault refused.
func TestPackOverGRPC(t *testing.T) {
	dir, _ := os.Getwd()
	client := packtest.Start(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	packtest.Configure(t, ctx, client, dir, "dev", nil)

	info, err := client.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatalf("GetAnalyzerInfo: %v", err)
	}
	if info.Name != "azure-baseline" || len(info.Policies) < 20 {
		t.Errorf("info: %s with %d policies", info.Name, len(info.Policies))
	}
	// A body Azure accepts (azure-schema passes), weak on two settings. The
	// token is versioned at the API version the schema table has.
	urn := "urn:pulumi:dev::streamsec::azure-native:storage/v20220901:StorageAccount::st"
	res, err := client.Analyze(ctx, &pulumirpc.AnalyzeRequest{Urn: urn, Type: "azure-native:storage/v20220901:StorageAccount", Name: "st",
		Properties: packtest.Props(t, map[string]any{"resourceGroupName": "rg", "accountName": "st1", "kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"},
			"publicNetworkAccess": "Enabled", "allowBlobPublicAccess": true, "minimumTlsVersion": "TLS1_2",
			"enableHttpsTrafficOnly": true, "allowSharedKeyAccess": false, "allowCrossTenantReplication": false})})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	got := map[string]bool{}
	for _, d := range res.Diagnostics {
		got[d.PolicyName] = true
	}
	if !got["storage-public-network-disabled"] || !got["storage-no-public-blobs"] || got["storage-min-tls"] || len(got) != 2 {
		t.Errorf("Analyze diagnostics: %v", res.Diagnostics)
	}
	vault := &pulumirpc.AnalyzerResource{Urn: "urn:pulumi:dev::streamsec::azure-native:keyvault:Vault::kv", Type: "azure-native:keyvault:Vault", Name: "kv",
		Properties: packtest.Props(t, map[string]any{"vaultName": "kv1", "properties": map[string]any{"enableRbacAuthorization": true}})}
	sres, err := client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: []*pulumirpc.AnalyzerResource{vault}})
	if err != nil {
		t.Fatalf("AnalyzeStack: %v", err)
	}
	sgot := map[string]string{}
	for _, d := range sres.Diagnostics {
		sgot[d.PolicyName] = d.Urn
	}
	if sgot["diagnostics-keyvault"] != vault.Urn || sgot["keyvault-private-endpoint"] != vault.Urn {
		t.Errorf("AnalyzeStack diagnostics: %v", sres.Diagnostics)
	}
}
