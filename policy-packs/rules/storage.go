package rules

import (
	"github.com/streamsec/streamsec/internal/inventory"
)

func storageRules() []Rule {
	st := []string{typeStorage}
	return []Rule{
		{
			ID: "storage-public-network-disabled", Title: "Storage is not reachable from the internet",
			Description: "publicNetworkAccess Disabled (and no networkRuleSet defaultAction Allow): the app reaches Storage through its private endpoint only. The one exception is the package store (tag streamsecRole=app-packages), which a pipeline's hosted runner must reach: it must then accept Entra ID only (no shared key, no anonymous access, OAuth by default).",
			Controls:    []string{"WS-NET-01"}, AzurePolicyIDs: []string{apStoragePublic},
			Enforcement: Mandatory, Types: st, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				if isPackageStore(r) {
					return packageStoreExposure(r)
				}
				if f := expectOneOf(r, "publicNetworkAccess", "Disabled", "Disabled"); f != nil {
					return f
				}
				// The firewall stays closed too, so one flipped setting does not open the account.
				return expectNotOneOf(r, "networkRuleSet.defaultAction", "Deny", "Allow")
			},
		},
		{
			ID: "storage-min-tls", Title: "Storage requires TLS 1.2 or newer",
			Description: "minimumTlsVersion below TLS1_2 allows weak handshakes to the data plane.",
			Controls:    []string{"WS-TLS-02"}, AzurePolicyIDs: []string{apStorageTLS},
			Enforcement: Mandatory, Types: st, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectTLS(r, "minimumTlsVersion", "TLS1_2", "TLS1_3")
			},
		},
		{
			ID: "storage-https-only", Title: "Storage accepts secure transfer only",
			Description: "enableHttpsTrafficOnly true refuses plain HTTP to blobs and files.",
			Controls:    []string{"WS-TLS-01"}, AzurePolicyIDs: []string{apSecureTransfer},
			Enforcement: Mandatory, Types: st, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "enableHttpsTrafficOnly", true)
			},
		},
		{
			ID: "storage-no-public-blobs", Title: "Storage forbids anonymous blob access",
			Description: "allowBlobPublicAccess false: no container can be made public by mistake.",
			Controls:    []string{"WS-EXP-01"}, AzurePolicyIDs: []string{apBlobPublic},
			Enforcement: Mandatory, Types: st, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "allowBlobPublicAccess", false)
			},
		},
		{
			ID: "storage-no-shared-key", Title: "Storage refuses shared key authorization",
			Description: "allowSharedKeyAccess false forces Entra ID (managed identity) access; account keys cannot leak.",
			Controls:    []string{"WS-NET-01"}, AzurePolicyIDs: []string{apSharedKey},
			Enforcement: Mandatory, Types: st, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "allowSharedKeyAccess", false)
			},
		},
		{
			ID: "storage-no-cross-tenant-replication", Title: "Storage forbids cross-tenant replication",
			Description: "allowCrossTenantReplication false keeps object replication inside the tenant.",
			Controls:    []string{"WS-NET-01"},
			Enforcement: Mandatory, Types: st, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "allowCrossTenantReplication", false)
			},
		},
	}
}

func keyVaultRules() []Rule {
	kv := []string{typeVault}
	return []Rule{
		{
			ID: "keyvault-rbac", Title: "Key Vault uses Azure RBAC",
			Description: "properties.enableRbacAuthorization true: access is granted by role assignments, not legacy access policies.",
			Controls:    []string{"WS-TLS-03", "WS-NET-02"}, AzurePolicyIDs: []string{apVaultRBAC},
			Enforcement: Mandatory, Types: kv, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "properties.enableRbacAuthorization", true)
			},
		},
		{
			ID: "keyvault-purge-protection", Title: "Key Vault has purge protection",
			Description: "properties.enablePurgeProtection true: the certificate and cookie secret cannot be destroyed for good by mistake or malice.",
			Controls:    []string{"WS-TLS-03"}, AzurePolicyIDs: []string{apVaultPurge},
			Enforcement: Mandatory, Types: kv, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectBool(r, "properties.enablePurgeProtection", true)
			},
		},
		{
			ID: "keyvault-soft-delete", Title: "Key Vault keeps soft delete on",
			Description: "properties.enableSoftDelete false would make deleted secrets unrecoverable (absent means Azure's default, on).",
			Controls:    []string{"WS-TLS-03"}, AzurePolicyIDs: []string{apVaultPurge},
			Enforcement: Mandatory, Types: kv, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				return expectNotOneOf(r, "properties.enableSoftDelete", "true", "false")
			},
		},
		{
			ID: "keyvault-network", Title: "Key Vault is not open to the internet",
			Description: "properties.publicNetworkAccess Disabled, or a firewall with networkAcls.defaultAction Deny.",
			Controls:    []string{"WS-NET-01"}, AzurePolicyIDs: []string{apVaultPublic, apVaultFirewall},
			Enforcement: Mandatory, Types: kv, Pack: PackBaseline,
			Check: func(r inventory.Resource, _ Config) []Finding {
				if expectOneOf(r, "properties.publicNetworkAccess", "Disabled", "Disabled") == nil {
					return nil
				}
				if expectOneOf(r, "properties.networkAcls.defaultAction", "Deny", "Deny") == nil {
					return nil
				}
				if _, st := prop(r, "properties.publicNetworkAccess"); st == stUnknown {
					return []Finding{{Property: "properties.publicNetworkAccess", Message: unknownMsg("properties.publicNetworkAccess")}}
				}
				return []Finding{{Property: "properties.publicNetworkAccess", Message: "Key Vault is reachable from the internet: want properties.publicNetworkAccess Disabled or properties.networkAcls.defaultAction Deny"}}
			},
		},
	}
}
