// Command standin-provider is a TEST DOUBLE for the azure-native Pulumi
// provider plugin. It never talks to Azure and must never be used for a real
// deployment.
//
// Why it exists: the real plugin cannot be fetched on the machines that run
// the end-to-end tests (no Azure, no plugin downloads), yet the tests must
// drive the real Pulumi engine (preview, up, destroy, policy packs). Built as
// a binary named pulumi-resource-azure-native and put first on PATH, it is
// picked up by the engine as an "ambient" plugin for whatever version the
// program pins (v3.274.1 prefers a plugin on PATH unless
// PULUMI_IGNORE_AMBIENT_PLUGINS is set).
//
// What it does:
//   - Check judges every resource's inputs against the schema table of what
//     Azure accepts (internal/azschema, read from the Azure REST API specs of
//     the API version azure-native 2.92.3 uses) and returns a CheckFailure,
//     with the property path, for each problem: a required property missing
//     at any depth, a wrong type, a value outside a closed enum, a limit
//     (length, range, items, pattern), and a property name the table does
//     not know. The real provider reports the first kinds the same way but
//     silently drops unknown names; here they fail, since a misspelled
//     hardening setting would never reach Azure. A type not in the table
//     fails too (the real provider knows every type; the stand-in must not
//     pass what it cannot judge). Unknown (computed) and secret values pass.
//     CheckConfig echoes the inputs; DiffConfig reports no change.
//     A resources:Deployment is also checked the way ARM validates a
//     template deployment (deployment.go); creating or updating one that
//     runs OneDeploy fetches its packageUri and opens the zip, as the
//     platform would.
//   - Diff compares the old inputs with the new ones, so an unchanged program
//     shows no changes on a second `up`.
//   - Create and Update return a deterministic Azure-style id and outputs =
//     inputs plus the computed outputs the streamsec program reads (a web
//     app's defaultHostName, an endpoint's hostName, a profile's frontDoorId,
//     a vault's properties.vaultUri, a secret's properties.secretUri,
//     identity.principalId, ...).
//   - Read answers as Azure's GET: found when the id is the one the inputs
//     give (outputs as create returns them), else not found; Delete forgets.
//   - Invoke answers azure-native:authorization:getClientConfig with fake
//     subscription and tenant ids.
//   - STANDIN_CREATE_DELAY (a Go duration, e.g. 500ms) makes every Create
//     and Update wait that long, honouring cancellation, so tests can
//     interrupt an update while it runs.
//   - STANDIN_UNKNOWN_AT_PREVIEW=1 turns on the realistic preview mode. By
//     default a preview Create returns the computed outputs already known,
//     which no real provider can do. In this mode a preview Create (the
//     engine calls Create with preview=true because Configure reports
//     SupportsPreview) returns the inputs as they are and every output the
//     stand-in would add on create (id, name, an endpoint's hostName, a
//     profile's frontDoorId, a vault's properties.vaultUri, an identity's
//     principalId, ...) as unknown, as the real azure-native provider does
//     for a resource that does not exist yet. A preview of a resource
//     already in the state is answered from the state (Diff reports no
//     change), so its outputs stay known. Create without preview, Update
//     and every other call behave as by default. The variable is read by
//     the plugin process, which inherits the environment of the pulumi CLI
//     and so of whoever ran it (the Automation API passes its own).
//
// Build: go build -o DIR/pulumi-resource-azure-native ./test/standin-provider
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/streamsec/streamsec/internal/azschema"
	"github.com/streamsec/streamsec/internal/azureid"
	"github.com/streamsec/streamsec/policy-packs/pack"
)

// Version is the azure-native version the stand-in claims to be: the one
// the streamsec program pins.
const Version = "2.92.3"

// Fake ids returned by getClientConfig and used in resource ids.
const (
	FakeSubscriptionID = "00000000-0000-4000-8000-00000000cafe"
	FakeTenantID       = "00000000-0000-4000-8000-0000000000aa"
	FakeClientID       = "00000000-0000-4000-8000-0000000000bb"
	FakeObjectID       = "00000000-0000-4000-8000-0000000000cc"
)

func main() {
	if err := serve(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "standin azure-native provider: %v\n", err)
		os.Exit(1)
	}
}

// serve speaks the plugin protocol: listen on a loopback port, print it on
// stdout, serve until the engine sends SIGINT or stops answering health
// checks. (sdk/go/pulumi/provider.Main does the same but pulls in tracing
// modules this repository does not carry.)
func serve(ctx context.Context, args []string) error {
	ctx, cancel := signal.NotifyContext(ctx, os.Interrupt)
	defer cancel()
	var engineAddr string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			engineAddr = a
		}
	}
	if engineAddr != "" {
		// Checked every second, so the plugin ends soon after its engine.
		if err := rpcutil.Healthcheck(ctx, engineAddr, time.Second, cancel); err != nil {
			return fmt.Errorf("health check of engine %s: %w", engineAddr, err)
		}
	}
	schema, err := azschema.Load()
	if err != nil {
		return err
	}
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, &standin{schema: schema})
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

type standin struct {
	pulumirpc.UnimplementedResourceProviderServer
	schema *azschema.Schema
}

var rpcOpts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: false}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, rpcOpts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, rpcOpts)
}

func (p *standin) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *standin) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: `{"name":"azure-native","version":"` + Version + `"}`}, nil
}

func (p *standin) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *standin) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *standin) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *standin) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *standin) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", req.GetUrn(), err)
	}
	token := string(resource.URN(req.GetUrn()).Type())
	failures := p.failures(token, news)
	if azureid.BaseToken(token) == typeDeployment {
		failures = append(failures, checkDeployment(news)...)
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// failures are the schema problems of one resource's inputs, as the
// engine prints them: "property <path> ... has a problem: <reason>".
func (p *standin) failures(token string, news resource.PropertyMap) []*pulumirpc.CheckFailure {
	if p.schema == nil {
		return []*pulumirpc.CheckFailure{{Reason: "stand-in started without its schema table"}}
	}
	if _, ok := p.schema.Type(token); !ok {
		return []*pulumirpc.CheckFailure{{Reason: fmt.Sprintf("type %s is not in the stand-in's schema table (internal/azschema): it cannot judge it", token)}}
	}
	var out []*pulumirpc.CheckFailure
	for _, pr := range p.schema.Validate(token, pack.Inputs(resource.FromResourcePropertyMap(news))) {
		out = append(out, &pulumirpc.CheckFailure{Property: pr.Path, Reason: pr.Message})
	}
	return out
}

func (p *standin) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds := req.GetOldInputs()
	if olds == nil {
		olds = req.GetOlds()
	}
	oldIn, err := unmarshal(olds)
	if err != nil {
		return nil, fmt.Errorf("diff %s: old inputs: %w", req.GetUrn(), err)
	}
	newIn, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, fmt.Errorf("diff %s: new inputs: %w", req.GetUrn(), err)
	}
	var diffs []string
	for _, k := range unionKeys(oldIn, newIn) {
		o, okO := oldIn[k]
		n, okN := newIn[k]
		if okO != okN || !o.DeepEqualsIncludeUnknowns(n) || n.ContainsUnknowns() {
			diffs = append(diffs, string(k))
		}
	}
	if len(diffs) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: diffs}, nil
}

func unionKeys(a, b resource.PropertyMap) []resource.PropertyKey {
	seen := map[resource.PropertyKey]bool{}
	var keys []resource.PropertyKey
	for _, m := range []resource.PropertyMap{a, b} {
		for _, k := range m.StableKeys() {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// delay waits STANDIN_CREATE_DELAY, or until ctx ends.
func delay(ctx context.Context) error {
	d, err := time.ParseDuration(os.Getenv("STANDIN_CREATE_DELAY"))
	if err != nil || d <= 0 {
		return nil
	}
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// resourceRequest is what Create and Update both read from their request.
type resourceRequest interface {
	GetPreview() bool
	GetUrn() string
	GetType() string
	GetName() string
}

// build is the work Create and Update share: wait STANDIN_CREATE_DELAY
// (not when previewing), then compute the outputs of the inputs in props
// (type and name from the URN when the request leaves them out). op names
// the call in errors.
func build(ctx context.Context, op string, req resourceRequest, props *structpb.Struct) (id string, inputs, outs resource.PropertyMap, marshalled *structpb.Struct, err error) {
	if !req.GetPreview() {
		if err := delay(ctx); err != nil {
			return "", nil, nil, nil, err
		}
	}
	inputs, err = unmarshal(props)
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("%s %s: %w", op, req.GetUrn(), err)
	}
	typ := req.GetType()
	if typ == "" {
		typ = typeFromURN(req.GetUrn())
	}
	name := req.GetName()
	if name == "" {
		name = nameFromURN(req.GetUrn())
	}
	id, outs = computeOutputs(typ, name, inputs)
	marshalled, err = marshal(outs)
	if err != nil {
		return "", nil, nil, nil, fmt.Errorf("%s %s: %w", op, req.GetUrn(), err)
	}
	return id, inputs, outs, marshalled, nil
}

func (p *standin) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	id, inputs, outs, props, err := build(ctx, "create", req, req.GetProperties())
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() && azureid.BaseToken(typeFromURN(req.GetUrn())) == typeDeployment {
		if uri, ok := oneDeployURI(inputs); ok {
			if err := fetchPackage(ctx, uri); err != nil {
				return nil, fmt.Errorf("create %s: %w", req.GetUrn(), err)
			}
		}
	}
	if req.GetPreview() {
		// Preview creates carry no id; by default the outputs are already
		// known here.
		id = ""
		if unknownAtPreview() {
			props, err = marshal(unknownAdded(inputs, outs))
			if err != nil {
				return nil, fmt.Errorf("create %s: %w", req.GetUrn(), err)
			}
		}
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

// unknownAtPreview reports whether STANDIN_UNKNOWN_AT_PREVIEW asks for the
// realistic preview mode.
func unknownAtPreview() bool {
	v := strings.TrimSpace(os.Getenv("STANDIN_UNKNOWN_AT_PREVIEW"))
	return v != "" && v != "0" && !strings.EqualFold(v, "false")
}

// unknownAdded returns outs with every property that create added to the
// inputs (at any depth of nested objects) replaced by an unknown: what a
// provider can say about a resource before it exists. Inputs keep their
// values, known or not.
func unknownAdded(inputs, outs resource.PropertyMap) resource.PropertyMap {
	res := resource.PropertyMap{}
	for k, o := range outs {
		in, ok := inputs[k]
		switch {
		case !ok:
			res[k] = resource.MakeComputed(resource.NewStringProperty(""))
		case in.IsObject() && o.IsObject():
			res[k] = resource.NewObjectProperty(unknownAdded(in.ObjectValue(), o.ObjectValue()))
		default:
			res[k] = in
		}
	}
	return res
}

func (p *standin) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	_, inputs, _, props, err := build(ctx, "update", req, req.GetNews())
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() && azureid.BaseToken(typeFromURN(req.GetUrn())) == typeDeployment {
		// ARM runs a deployment again on every PUT.
		if uri, ok := oneDeployURI(inputs); ok {
			if err := fetchPackage(ctx, uri); err != nil {
				return nil, fmt.Errorf("update %s: %w", req.GetUrn(), err)
			}
		}
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// Read answers as Azure's GET would: a resource exists when the id asked
// for is the one its inputs give (the stand-in keeps no other record), and
// then its outputs are what create returns; any other id is not found (an
// empty id). A refresh of a resource adopted from a pending create thus
// gets its full outputs, or drops it when the id was wrong.
func (p *standin) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	inputs, err := unmarshal(req.GetInputs())
	if err != nil {
		return nil, fmt.Errorf("read %s: inputs: %w", req.GetUrn(), err)
	}
	id, outs := computeOutputs(typeFromURN(req.GetUrn()), nameFromURN(req.GetUrn()), inputs)
	if id != req.GetId() {
		return &pulumirpc.ReadResponse{}, nil
	}
	props, err := marshal(outs)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", req.GetUrn(), err)
	}
	return &pulumirpc.ReadResponse{Id: id, Properties: props, Inputs: req.GetInputs()}, nil
}

func (p *standin) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *standin) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	switch azureid.BaseToken(req.GetTok()) {
	case "azure-native:authorization:getClientConfig":
		ret, err := marshal(resource.PropertyMap{
			"clientId":       resource.NewStringProperty(FakeClientID),
			"objectId":       resource.NewStringProperty(FakeObjectID),
			"subscriptionId": resource.NewStringProperty(FakeSubscriptionID),
			"tenantId":       resource.NewStringProperty(FakeTenantID),
		})
		if err != nil {
			return nil, err
		}
		return &pulumirpc.InvokeResponse{Return: ret}, nil
	}
	return nil, fmt.Errorf("standin azure-native provider (test double): function %s is not simulated", req.GetTok())
}

// typeFromURN and nameFromURN read urn:pulumi:stack::project::[parent$]type::name.
func typeFromURN(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return ""
	}
	qt := parts[2]
	if i := strings.LastIndex(qt, "$"); i >= 0 {
		qt = qt[i+1:]
	}
	return qt
}

func nameFromURN(urn string) string {
	parts := strings.Split(urn, "::")
	return parts[len(parts)-1]
}

// computeOutputs returns the id and the outputs of a created resource:
// the inputs plus what Azure would compute, all derived from the type and
// names so repeated runs give the same values.
func computeOutputs(typ, urnName string, inputs resource.PropertyMap) (string, resource.PropertyMap) {
	base := azureid.BaseToken(typ)
	outs := inputs.Copy()
	nameKey, known := azureid.NameKey(base)
	if !known {
		nameKey = "name"
	}
	// Azure names: the own-name input, else an auto-name from the Pulumi
	// name plus a stable suffix (as azure-native auto-names).
	name := urnName + "-" + shortHash(base, urnName)[:8]
	if nameKey != "" {
		if v, ok := inputs[resource.PropertyKey(nameKey)]; ok && v.IsString() && v.StringValue() != "" {
			name = v.StringValue()
		}
	} else if v, ok := inputs["name"]; ok && v.IsString() && v.StringValue() != "" {
		name = v.StringValue()
	}
	id := azureid.ID(base, name, FakeSubscriptionID, func(k string) (string, bool) {
		if v, ok := inputs[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue(), true
		}
		return "", false
	})
	str := resource.NewStringProperty
	outs["id"] = str(id)
	outs["name"] = str(name)
	outs["azureApiVersion"] = str("standin")

	switch base {
	case "azure-native:web:WebApp":
		outs["defaultHostName"] = str(name + ".azurewebsites.net")
		outs["outboundIpAddresses"] = str("192.0.2.10,192.0.2.11")
		outs["state"] = str("Running")
	case "azure-native:cdn:Profile":
		outs["frontDoorId"] = str(fakeGUID("frontDoorId", name))
		outs["provisioningState"] = str("Succeeded")
	case "azure-native:cdn:AFDEndpoint":
		outs["hostName"] = str(name + "-" + shortHash(name) + ".z01.azurefd.net")
	case "azure-native:cdn:AFDCustomDomain":
		outs["validationProperties"] = resource.NewObjectProperty(resource.PropertyMap{
			"validationToken": str(shortHash("validation", name)),
			"expirationDate":  str("2099-01-01T00:00:00Z"),
		})
		outs["domainValidationState"] = str("Approved")
	case "azure-native:keyvault:Vault":
		props := objectOf(outs, "properties")
		props["vaultUri"] = str("https://" + name + ".vault.azure.net/")
		outs["properties"] = resource.NewObjectProperty(props)
	case "azure-native:keyvault:Secret":
		vault := "vault"
		if v, ok := inputs["vaultName"]; ok && v.IsString() {
			vault = v.StringValue()
		}
		props := objectOf(outs, "properties")
		uri := "https://" + vault + ".vault.azure.net/secrets/" + name
		props["secretUri"] = str(uri)
		props["secretUriWithVersion"] = str(uri + "/" + shortHash("version", vault, name))
		outs["properties"] = resource.NewObjectProperty(props)
	case "azure-native:storage:StorageAccount":
		outs["primaryEndpoints"] = resource.NewObjectProperty(resource.PropertyMap{
			"blob": str("https://" + name + ".blob.core.windows.net/"),
		})
	case "azure-native:operationalinsights:Workspace":
		outs["customerId"] = str(fakeGUID("customerId", name))
	case "azure-native:managedidentity:UserAssignedIdentity":
		outs["principalId"] = str(fakeGUID("principalId", name))
		outs["clientId"] = str(fakeGUID("clientId", name))
		outs["tenantId"] = str(FakeTenantID)
	}
	// A resource asking for a system-assigned identity gets its principal.
	if idv, ok := outs["identity"]; ok && idv.IsObject() {
		ident := idv.ObjectValue().Copy()
		if t, ok := ident["type"]; ok && t.IsString() && strings.Contains(t.StringValue(), "SystemAssigned") {
			ident["principalId"] = str(fakeGUID("principalId", base, name))
			ident["tenantId"] = str(FakeTenantID)
		}
		outs["identity"] = resource.NewObjectProperty(ident)
	}
	return id, outs
}

func objectOf(m resource.PropertyMap, key resource.PropertyKey) resource.PropertyMap {
	if v, ok := m[key]; ok && v.IsObject() {
		return v.ObjectValue().Copy()
	}
	return resource.PropertyMap{}
}

func shortHash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])[:12]
}

// fakeGUID derives a stable GUID-shaped value from its inputs.
func fakeGUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}
