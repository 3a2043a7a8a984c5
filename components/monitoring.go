package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/insights/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/operationalinsights/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// MonitoringArgs configure the Log Analytics workspace.
type MonitoringArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
}

// Monitoring is the Log Analytics workspace every diagnostic setting sends
// to (WS-LOG-01).
type Monitoring struct {
	pulumi.ResourceState
	WorkspaceID pulumi.IDOutput
}

// NewMonitoring registers the workspace.
func NewMonitoring(ctx *pulumi.Context, name string, args *MonitoringArgs, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	c := &Monitoring{}
	if err := ctx.RegisterComponentResource(TypeMonitoring, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	ws, err := operationalinsights.NewWorkspace(ctx, name+"-law", &operationalinsights.WorkspaceArgs{
		ResourceGroupName: args.ResourceGroupName,
		WorkspaceName:     pulumi.String(s.ResourceName("law")),
		Location:          pulumi.String(s.Location),
		Sku:               &operationalinsights.WorkspaceSkuArgs{Name: pulumi.String("PerGB2018")},
		RetentionInDays:   pulumi.Int(s.LogRetentionDays),
		Tags:              tags(s),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("log analytics workspace: %w", err)
	}
	c.WorkspaceID = ws.ID()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"workspaceId": ws.ID()}); err != nil {
		return nil, err
	}
	return c, nil
}

// DiagnosticTarget is one resource whose logs go to the workspace.
type DiagnosticTarget struct {
	Name        string // logical name suffix
	ResourceURI pulumi.StringInput
	Categories  []string
}

// Log categories per resource type (Azure Monitor category names).
var (
	FrontDoorLogCategories = []string{"FrontDoorAccessLog", "FrontDoorHealthProbeLog", "FrontDoorWebApplicationFirewallLog"}
	WebAppLogCategories    = []string{"AppServiceHTTPLogs", "AppServiceAppLogs", "AppServiceAuditLogs", "AppServiceIPSecAuditLogs", "AppServicePlatformLogs", "AppServiceConsoleLogs"}
	KeyVaultLogCategories  = []string{"AuditEvent"}
	BlobLogCategories      = []string{"StorageRead", "StorageWrite", "StorageDelete"}
)

// DiagnosticsArgs list the resources to send logs from.
type DiagnosticsArgs struct {
	WorkspaceID pulumi.StringInput
	Targets     []DiagnosticTarget
}

// Diagnostics holds one diagnostic setting per target.
type Diagnostics struct {
	pulumi.ResourceState
}

// NewDiagnostics registers the diagnostic settings.
func NewDiagnostics(ctx *pulumi.Context, name string, args *DiagnosticsArgs, opts ...pulumi.ResourceOption) (*Diagnostics, error) {
	c := &Diagnostics{}
	if err := ctx.RegisterComponentResource(TypeDiagnostics, name, c, opts...); err != nil {
		return nil, err
	}
	for _, t := range args.Targets {
		logs := insights.LogSettingsArray{}
		for _, cat := range t.Categories {
			logs = append(logs, &insights.LogSettingsArgs{Category: pulumi.String(cat), Enabled: pulumi.Bool(true)})
		}
		if _, err := insights.NewDiagnosticSetting(ctx, name+"-"+t.Name, &insights.DiagnosticSettingArgs{
			Name:                        pulumi.String("streamsec-" + t.Name),
			ResourceUri:                 t.ResourceURI,
			WorkspaceId:                 args.WorkspaceID,
			LogAnalyticsDestinationType: pulumi.String("Dedicated"),
			Logs:                        logs,
		}, child(c)...); err != nil {
			return nil, fmt.Errorf("diagnostic setting %s: %w", t.Name, err)
		}
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{}); err != nil {
		return nil, err
	}
	return c, nil
}
