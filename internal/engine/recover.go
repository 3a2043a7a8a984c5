package engine

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"

	"github.com/streamsec/streamsec/internal/azureid"
)

// A run killed in the middle of an update leaves "pending operations" in
// the state: resources the CLI had asked the provider to create, update or
// delete without hearing back. Pulumi's guidance (the warning `pulumi up`
// prints for them, and the choices `pulumi refresh` offers interactively)
// is: check with the provider whether each operation completed, then
// refresh. `refresh` settles pending updates and deletes by itself. A
// pending CREATE it keeps until someone says "import (the CREATE
// succeeded; give its id)" or "clear (the CREATE failed)"; clearing one
// that did succeed would leave a resource in Azure that the state forgot.
//
// streamsec therefore never clears a pending create blindly. It imports
// every pending create with the id Azure gives that resource (azureid,
// from the type and the inputs the create was sent with) and then runs
// `pulumi refresh`, which asks the provider for each: one that exists
// stays in the state with what Azure reports, one that does not is dropped
// and the update creates it. A create whose id cannot be formed (a type
// outside the table, a missing name, no subscription known) stops the run
// with the list and the commands to resolve it: a person must look.

// deploymentState is the part of a stack's state the engine reads.
type deploymentState struct {
	Resources []struct {
		URN     string         `json:"urn"`
		Type    string         `json:"type"`
		ID      string         `json:"id"`
		Outputs map[string]any `json:"outputs,omitempty"`
	} `json:"resources"`
	PendingOperations []pendingOperation `json:"pending_operations"`
}

type pendingOperation struct {
	Resource struct {
		URN    string         `json:"urn"`
		Type   string         `json:"type"`
		Inputs map[string]any `json:"inputs"`
	} `json:"resource"`
	Type string `json:"type"`
}

// deployment reads the stack's latest state: straight from a file
// backend's checkpoint (no CLI process; secrets stay encrypted there), else
// through `pulumi stack export`.
func (e *Engine) deployment(ctx context.Context) (*deploymentState, error) {
	var dep deploymentState
	if e.root != "" {
		p, err := e.checkpointPath()
		if errors.Is(err, os.ErrNotExist) {
			return &dep, nil
		}
		if err != nil {
			return nil, err
		}
		data, err := readMaybeGzip(p)
		if err != nil {
			return nil, fmt.Errorf("read the state of stack %s: %w", e.opts.Stack, err)
		}
		var cp struct {
			Checkpoint struct {
				Latest *deploymentState `json:"latest"`
			} `json:"checkpoint"`
		}
		if err := json.Unmarshal(data, &cp); err != nil {
			return nil, fmt.Errorf("read the state of stack %s (%s): %w", e.opts.Stack, p, err)
		}
		if cp.Checkpoint.Latest != nil {
			dep = *cp.Checkpoint.Latest
		}
		return &dep, nil
	}
	data, err := e.Export(ctx)
	if err != nil {
		return nil, err
	}
	var ex struct {
		Deployment deploymentState `json:"deployment"`
	}
	if err := json.Unmarshal(data, &ex); err != nil {
		return nil, fmt.Errorf("read the state of stack %s: %w", e.opts.Stack, err)
	}
	return &ex.Deployment, nil
}

func readMaybeGzip(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(p, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		r = gz
	}
	return io.ReadAll(r)
}

// pendingCreateID forms the Azure id of a pending create, or says why it
// cannot.
func pendingCreateID(op pendingOperation, sub string) (string, error) {
	typ := op.Resource.Type
	if !azureid.Known(typ) {
		return "", fmt.Errorf("type %s has no known Azure id shape", typ)
	}
	in := func(k string) (string, bool) {
		v, ok := op.Resource.Inputs[k].(string)
		return v, ok && v != ""
	}
	key, _ := azureid.NameKey(typ)
	if key == "" {
		key = "name"
	}
	name, ok := in(key)
	if !ok {
		return "", fmt.Errorf("its inputs have no %s (the Azure name)", key)
	}
	if sub == "" {
		return "", errors.New("no Azure subscription is known (no resource of the stack has an id yet; set ARM_SUBSCRIPTION_ID)")
	}
	return azureid.ID(typ, name, sub, in), nil
}

// subscription is the Azure subscription of the stack: from the ids in its
// state, else from the environment the azure-native provider reads.
func (e *Engine) subscription(dep *deploymentState) string {
	for _, r := range dep.Resources {
		if s := azureid.Subscription(r.ID); s != "" {
			return s
		}
	}
	for _, k := range []string{"ARM_SUBSCRIPTION_ID", "AZURE_SUBSCRIPTION_ID"} {
		if v := e.opts.Getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// recoverPending resolves the pending operations a killed run left (see
// the comment at the top of this file). Nothing runs when there are none.
func (e *Engine) recoverPending(ctx context.Context, st auto.Stack, ro RunOptions, log io.Writer) error {
	dep, err := e.deployment(ctx)
	if err != nil {
		return err
	}
	if len(dep.PendingOperations) == 0 {
		return nil
	}
	fmt.Fprintf(log, "stack %s has %d pending operation(s) left by an interrupted run:\n", e.opts.Stack, len(dep.PendingOperations))
	sub := e.subscription(dep)
	ids := map[string]string{}
	var unresolved []string
	for _, op := range dep.PendingOperations {
		fmt.Fprintf(log, "  %s, interrupted while %s\n", op.Resource.URN, op.Type)
		if op.Type != "creating" {
			continue // refresh settles it
		}
		id, err := pendingCreateID(op, sub)
		if err != nil {
			unresolved = append(unresolved, fmt.Sprintf("%s: %v", op.Resource.URN, err))
			continue
		}
		ids[op.Resource.URN] = id
	}
	if len(unresolved) > 0 {
		return fmt.Errorf("stack %s: cannot tell whether %d interrupted create(s) happened in Azure, so nothing was changed:\n  %s\nlook each one up in Azure, then run `pulumi refresh --stack %s --import-pending-creates <urn> <id>` for those that exist and `--clear-pending-creates` for the rest",
			e.opts.Stack, len(unresolved), strings.Join(unresolved, "\n  "), e.opts.Stack)
	}
	if len(ids) > 0 {
		if err := e.adoptPendingCreates(ctx, ids); err != nil {
			return err
		}
	}
	opts := []optrefresh.Option{optrefresh.Message("streamsec: resolve the pending operations of an interrupted run")}
	if ro.Progress != nil {
		opts = append(opts, optrefresh.ProgressStreams(ro.Progress), optrefresh.ErrorProgressStreams(ro.Progress))
	}
	if ro.Color != "" {
		opts = append(opts, optrefresh.Color(ro.Color))
	}
	if _, err := st.Refresh(ctx, opts...); err != nil {
		return fmt.Errorf("refresh stack %s to resolve its pending operations: %w", e.opts.Stack, summarize(err))
	}
	after, err := e.deployment(ctx)
	if err != nil {
		return err
	}
	kept := 0
	for _, r := range after.Resources {
		if _, ok := ids[r.URN]; ok {
			kept++
		}
	}
	fmt.Fprintf(log, "resolved: %d interrupted create(s) existed in Azure and are kept in the state, %d did not and will be created; other pending operations were settled by the refresh\n", kept, len(ids)-kept)
	if len(after.PendingOperations) > 0 {
		return fmt.Errorf("stack %s still has %d pending operation(s) after the refresh", e.opts.Stack, len(after.PendingOperations))
	}
	return nil
}

// adoptPendingCreates edits the state as `pulumi refresh
// --import-pending-creates` means to: each pending create becomes a
// resource with its Azure id (outputs = its inputs until the refresh reads
// the real ones). The edit goes through `pulumi stack export` and
// `pulumi stack import`, which check the result.
func (e *Engine) adoptPendingCreates(ctx context.Context, ids map[string]string) error {
	data, err := e.Export(ctx)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("read the export of stack %s: %w", e.opts.Stack, err)
	}
	dep, _ := doc["deployment"].(map[string]any)
	if dep == nil {
		return fmt.Errorf("the export of stack %s has no deployment", e.opts.Stack)
	}
	resources, _ := dep["resources"].([]any)
	ops, _ := dep["pending_operations"].([]any)
	var keep []any
	for _, o := range ops {
		op, _ := o.(map[string]any)
		res, _ := op["resource"].(map[string]any)
		urn, _ := res["urn"].(string)
		id, ok := ids[urn]
		if op["type"] != "creating" || !ok {
			keep = append(keep, o)
			continue
		}
		res["id"] = id
		if _, has := res["outputs"]; !has {
			res["outputs"] = res["inputs"]
		}
		// Its parent, provider and dependencies were created before it,
		// so they come earlier in the list, as the state requires.
		resources = append(resources, res)
	}
	dep["resources"] = resources
	if len(keep) == 0 {
		delete(dep, "pending_operations")
	} else {
		dep["pending_operations"] = keep
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp("", "streamsec-state-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if _, _, err := e.run(ctx, nil, "stack", "import", "--stack", e.opts.Stack, "--file", filepath.Clean(tmp.Name())); err != nil {
		return fmt.Errorf("import the pending creates of stack %s into its state: %w", e.opts.Stack, err)
	}
	return nil
}
