package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

func TestPendingCreateID(t *testing.T) {
	const sub = "00000000-0000-4000-8000-00000000cafe"
	op := func(typ string, in map[string]any) pendingOperation {
		var o pendingOperation
		o.Type = "creating"
		o.Resource.URN = "urn:pulumi:dev::streamsec::" + typ + "::x"
		o.Resource.Type = typ
		o.Resource.Inputs = in
		return o
	}
	cases := []struct {
		name    string
		op      pendingOperation
		sub     string
		want    string
		wantErr string
	}{
		{"resource group", op("azure-native:resources:ResourceGroup", map[string]any{"resourceGroupName": "rg-dev"}), sub,
			"/subscriptions/" + sub + "/resourceGroups/rg-dev", ""},
		{"web app, versioned token", op("azure-native:web/v20240401:WebApp", map[string]any{"name": "app-dev", "resourceGroupName": "rg-dev"}), sub,
			"/subscriptions/" + sub + "/resourceGroups/rg-dev/providers/Microsoft.Web/sites/app-dev", ""},
		{"child named by its site", op("azure-native:web:WebAppFtpAllowed", map[string]any{"name": "app-dev", "resourceGroupName": "rg-dev"}), sub,
			"/subscriptions/" + sub + "/resourceGroups/rg-dev/providers/Microsoft.Web/sites/app-dev/basicPublishingCredentialsPolicies/ftp", ""},
		{"unknown type", op("azure-native:compute:VirtualMachine", map[string]any{"vmName": "vm"}), sub, "", "no known Azure id shape"},
		{"no name", op("azure-native:keyvault:Vault", map[string]any{"resourceGroupName": "rg"}), sub, "", "no vaultName"},
		{"no subscription", op("azure-native:resources:ResourceGroup", map[string]any{"resourceGroupName": "rg"}), "", "", "ARM_SUBSCRIPTION_ID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := pendingCreateID(c.op, c.sub)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Errorf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestDeploymentFromCheckpointAndSubscription(t *testing.T) {
	root := t.TempDir()
	e := &Engine{opts: Options{Stack: "dev", Getenv: func(k string) string {
		if k == "ARM_SUBSCRIPTION_ID" {
			return "from-env"
		}
		return ""
	}}, project: "streamsec", root: root}
	dep, err := e.deployment(nil)
	if err != nil || len(dep.Resources) != 0 {
		t.Fatalf("no stack: %+v, %v", dep, err)
	}
	if got := e.subscription(dep); got != "from-env" {
		t.Errorf("subscription without ids: %q", got)
	}
	cp := `{"version":3,"checkpoint":{"stack":"dev","latest":{"resources":[
	  {"urn":"urn:s","type":"pulumi:pulumi:Stack"},
	  {"urn":"urn:rg","type":"azure-native:resources:ResourceGroup","id":"/subscriptions/sub-1/resourceGroups/rg"}],
	 "pending_operations":[{"resource":{"urn":"urn:app","type":"azure-native:web:WebApp","inputs":{"name":"app"}},"type":"creating"}]}}}`
	p := filepath.Join(root, ".pulumi", "stacks", "streamsec", "dev.json")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(cp), 0o600); err != nil {
		t.Fatal(err)
	}
	dep, err = e.deployment(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(dep.Resources) != 2 || len(dep.PendingOperations) != 1 || dep.PendingOperations[0].Resource.Inputs["name"] != "app" {
		t.Errorf("deployment %+v", dep)
	}
	if got := e.subscription(dep); got != "sub-1" {
		t.Errorf("subscription from the state: %q", got)
	}
	if n, err := e.deployedResources(nil); err != nil || n != 1 {
		t.Errorf("deployed %d, %v; want 1 (stack resource aside)", n, err)
	}
}

func TestEventCollectorOutputsFromTheStream(t *testing.T) {
	c := newEventCollector()
	c.wait = 2 * time.Second
	send := func(ev apitype.EngineEvent) { c.ch <- events.EngineEvent{EngineEvent: ev} }
	send(apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
		Type: "azure-native:web:WebApp", New: &apitype.StepEventStateMetadata{Outputs: map[string]any{"x": "app"}}}}})
	send(apitype.EngineEvent{ResOutputsEvent: &apitype.ResOutputsEvent{Metadata: apitype.StepEventMetadata{
		Type: stackType, New: &apitype.StepEventStateMetadata{Outputs: map[string]any{"publicUrl": "https://x", "key": "[secret]"}}}}})
	send(apitype.EngineEvent{PolicyEvent: &apitype.PolicyEvent{PolicyName: "p", EnforcementLevel: "advisory"}})
	send(apitype.EngineEvent{SummaryEvent: &apitype.SummaryEvent{}})
	outs, ok := c.stackOutputs()
	if !ok || outs["publicUrl"].Value != "https://x" || outs["publicUrl"].Secret || !outs["key"].Secret || len(outs) != 2 {
		t.Errorf("outputs %+v, %v", outs, ok)
	}
	close(c.ch)
	if vs := c.violations(); len(vs) != 1 || vs[0].Policy != "p" {
		t.Errorf("violations %+v", vs)
	}
	// A stream without the stack's outputs says so (the caller asks the CLI).
	c2 := newEventCollector()
	close(c2.ch)
	if _, ok := c2.stackOutputs(); ok {
		t.Error("outputs claimed from a stream that had none")
	}
}
