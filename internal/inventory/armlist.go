package inventory

import (
	"fmt"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory/armexpr"
)

// listingMeta are the keys of `az resource list` / `az resource show`
// output that describe the resource rather than configure it.
var listingMeta = map[string]bool{
	"id": true, "name": true, "type": true, "resourceGroup": true, "systemData": true,
	"etag": true, "changedTime": true, "createdTime": true, "provisioningState": true,
}

// armFromListing reads `az resource list` / `az resource show` elements:
// {id, name, type, location, sku, kind, identity, tags, properties}. The
// id gives the type, the name segments and, for extension resources (a
// diagnostic setting), the resource extended.
func armFromListing(elems []any, where func(int) string) ([]ARMResource, []string, []error) {
	var out []ARMResource
	var problems []error
	noProps := 0
	for i, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			problems = append(problems, fmt.Errorf("%s: want a resource object {id, name, type, properties, ...}, got %s", where(i), jsonKind(e)))
			continue
		}
		r := ARMResource{Where: where(i), parent: -1, Body: map[string]any{}, Live: true}
		id, _ := m["id"].(string)
		typ, _ := m["type"].(string)
		if id != "" {
			t, names, scope, ok := parseID(id)
			if !ok {
				problems = append(problems, fmt.Errorf("%s.id: %q is not an Azure resource id (/subscriptions/.../providers/Namespace/type/name)", where(i), id))
				continue
			}
			r.ID, r.Type, r.Names = id, t, names
			if scope != "" {
				r.Scope = scope
			}
		} else {
			name, _ := m["name"].(string)
			if typ == "" || name == "" {
				problems = append(problems, fmt.Errorf("%s: want id, or type and name", where(i)))
				continue
			}
			r.Type = typ
			for _, n := range strings.Split(name, "/") {
				r.Names = append(r.Names, n)
			}
			if len(r.Names) != strings.Count(typ, "/") {
				problems = append(problems, fmt.Errorf("%s: name %q has %d segments; type %s wants %d", where(i), name, len(r.Names), typ, strings.Count(typ, "/")))
				continue
			}
			r.ID = "/providers/" + typ + "/" + name
		}
		for k, v := range m {
			if !listingMeta[k] {
				r.Body[k] = v
			}
		}
		if p, has := m["properties"]; !has || p == nil {
			noProps++
		}
		out = append(out, r)
	}
	var notes []string
	if noProps > 0 {
		notes = append(notes, fmt.Sprintf("%d resources have no properties (az resource list leaves them out): their settings cannot be judged and fail closed; use `az resource show --ids ...` for the full resources", noProps))
	}
	return out, notes, problems
}

// jsonKind names a decoded JSON value's kind for messages.
func jsonKind(v any) string { return armexpr.Kind(v) }
