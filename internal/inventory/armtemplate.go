package inventory

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/streamsec/streamsec/internal/inventory/armexpr"
)

// templateScope is the id prefix of what a template deploys into; the
// placeholders stand for the subscription and group chosen at deployment.
const templateScope = "/subscriptions/" + armexpr.SubscriptionPlaceholder + "/resourceGroups/" + armexpr.ResourceGroupPlaceholder

// maxCopies bounds a copy loop's expansion; larger (or unknown) counts are
// judged as one resource whose copyIndex() is unknown.
const maxCopies = 1000

// resourceKeys are a template resource's keys that are not request body.
var resourceKeys = map[string]bool{
	"type": true, "apiVersion": true, "name": true, "dependsOn": true, "resources": true,
	"copy": true, "condition": true, "comments": true, "scope": true, "existing": true,
	"metadata": true, "parent": true, "import": true, "symbolicName": true,
}

// template evaluates one ARM deployment template.
type template struct {
	params   map[string]map[string]any // declarations, by lower-cased name
	vars     map[string]any
	varDone  map[string]any
	varBusy  map[string]bool
	given    *ARMParameters
	problems []error
	out      []ARMResource
	depth    int
}

// armFromTemplate reads a template's resources, nested resources arrays
// flattened (children as parent/child), expressions evaluated as far as
// the parameters allow.
func armFromTemplate(doc map[string]any, given *ARMParameters) ([]ARMResource, []error) {
	t := &template{given: given}
	t.load(doc, "")
	return t.out, t.problems
}

func (t *template) fail(where string, err error) {
	t.problems = append(t.problems, fmt.Errorf("%s: %w", where, err))
}

func (t *template) load(doc map[string]any, where string) {
	t.params = map[string]map[string]any{}
	if ps, ok := doc["parameters"].(map[string]any); ok {
		for name, d := range ps {
			decl, _ := d.(map[string]any)
			if decl == nil {
				t.fail(where+"parameters."+name, errors.New("want a declaration object {type, defaultValue?}"))
				continue
			}
			t.params[strings.ToLower(name)] = decl
		}
	} else if doc["parameters"] != nil {
		t.fail(where+"parameters", fmt.Errorf("want an object, got %s", jsonKind(doc["parameters"])))
	}
	if t.given != nil {
		for _, name := range t.given.names() {
			if _, ok := t.params[strings.ToLower(name)]; !ok {
				t.fail(t.given.Name, fmt.Errorf("parameter %q is not declared by the template (Azure refuses the deployment)", name))
			}
		}
	}
	t.vars, _ = doc["variables"].(map[string]any)
	t.varDone, t.varBusy = map[string]any{}, map[string]bool{}
	switch rs := doc["resources"].(type) {
	case []any:
		for i, r := range rs {
			t.resource(r, fmt.Sprintf("%sresources[%d]", where, i), -1)
		}
	case map[string]any:
		names := make([]string, 0, len(rs))
		for k := range rs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			t.resource(rs[k], where+"resources."+k, -1)
		}
	case nil:
	default:
		t.fail(where+"resources", fmt.Errorf("want an array or an object, got %s", jsonKind(rs)))
	}
}

func (t *template) env(copyIndex any) *armexpr.Env {
	return t.envFor(copyIndex, false)
}

// unknownPart stands for an unknown value inside a resource name, so
// the name's literal segments survive: format('{0}/web', parameters('site'))
// is still a site's "web" configuration.
const unknownPart = "\x00unknown\x00"

// envFor is the expression environment; with placeholders, unknown
// parameters and variables read as unknownPart (for names only).
func (t *template) envFor(copyIndex any, placeholders bool) *armexpr.Env {
	param, variable := t.parameter, t.variable
	if placeholders {
		param = func(name string) (any, error) {
			v, err := t.parameter(name)
			if err == nil && (armexpr.IsUnknown(v) || armexpr.IsSecret(v)) {
				return unknownPart, nil
			}
			return v, err
		}
		variable = func(name string) (any, error) {
			v, err := t.variable(name)
			if err != nil || !armexpr.IsUnknown(v) {
				return v, err
			}
			raw, _ := t.rawVariable(name)
			if s, ok := raw.(string); ok && !t.varBusy[strings.ToLower(name)] {
				t.varBusy[strings.ToLower(name)] = true
				defer delete(t.varBusy, strings.ToLower(name))
				return armexpr.Eval(s, t.envFor(copyIndex, true))
			}
			return v, nil
		}
	}
	return &armexpr.Env{
		Parameter: param,
		Variable:  variable,
		CopyIndex: func(string) (any, error) {
			if copyIndex == nil {
				return armexpr.Unknown, nil
			}
			return copyIndex, nil
		},
	}
}

func (t *template) parameter(name string) (any, error) {
	decl, ok := t.params[strings.ToLower(name)]
	if !ok {
		return nil, fmt.Errorf("parameters('%s'): the template declares no such parameter", name)
	}
	typ, _ := decl["type"].(string)
	secure := strings.HasPrefix(strings.ToLower(typ), "secure")
	if t.given == nil {
		// Without a parameters file any value may be given at deployment,
		// the default included: nothing is proven.
		if secure {
			return armexpr.Secret, nil
		}
		return armexpr.Unknown, nil
	}
	v, ok := t.given.value(name)
	if !ok {
		def, has := decl["defaultValue"]
		if !has {
			return nil, fmt.Errorf("parameter %q has no value in %s and no defaultValue", name, t.given.Name)
		}
		var err error
		if v, err = t.evalDeep(def, nil); err != nil {
			return nil, fmt.Errorf("parameter %q defaultValue: %w", name, err)
		}
	}
	if secure && !armexpr.IsUnknown(v) {
		return armexpr.Secret, nil
	}
	return v, nil
}

func (t *template) variable(name string) (any, error) {
	key := strings.ToLower(name)
	if v, ok := t.varDone[key]; ok {
		return v, nil
	}
	raw, found := t.rawVariable(name)
	if !found {
		return nil, fmt.Errorf("variables('%s'): the template declares no such variable", name)
	}
	if t.varBusy[key] {
		return nil, fmt.Errorf("variables('%s') refers to itself", name)
	}
	t.varBusy[key] = true
	defer delete(t.varBusy, key)
	v, err := t.evalDeep(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("variables('%s'): %w", name, err)
	}
	t.varDone[key] = v
	return v, nil
}

func (t *template) rawVariable(name string) (any, bool) {
	for k, v := range t.vars {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// evalDeep evaluates every expression string in a JSON value.
func (t *template) evalDeep(v any, copyIndex any) (any, error) {
	t.depth++
	defer func() { t.depth-- }()
	if t.depth > 200 {
		return nil, errors.New("nested deeper than 200 levels")
	}
	switch x := v.(type) {
	case string:
		return armexpr.Eval(x, t.env(copyIndex))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ev, err := t.evalDeep(e, copyIndex)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			out[k] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			ev, err := t.evalDeep(e, copyIndex)
			if err != nil {
				return nil, fmt.Errorf("%d: %w", i, err)
			}
			out[i] = ev
		}
		return out, nil
	}
	return v, nil
}

// markers turns the evaluator's markers into the inventory's.
func markers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = markers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = markers(e)
		}
	default:
		if armexpr.IsUnknown(v) {
			return Unknown
		}
		if armexpr.IsSecret(v) {
			return SecretMask
		}
	}
	return v
}

func (t *template) resource(raw any, where string, parent int) {
	m, ok := raw.(map[string]any)
	if !ok {
		t.fail(where, fmt.Errorf("want a resource object, got %s", jsonKind(raw)))
		return
	}
	if b, _ := m["existing"].(bool); b {
		return // a reference to a resource deployed elsewhere
	}
	count := 1
	copyKnown := false
	if c, ok := m["copy"].(map[string]any); ok {
		n, err := t.evalDeep(c["count"], nil)
		switch f, isNum := n.(float64); {
		case err != nil:
			t.fail(where+".copy.count", err)
			return
		case isNum && f >= 0 && f <= maxCopies && f == float64(int(f)):
			count, copyKnown = int(f), true
		}
	}
	for i := 0; i < count; i++ {
		var idx any
		w := where
		if copyKnown {
			idx = float64(i)
			if count > 1 {
				w = fmt.Sprintf("%s[copy %d]", where, i)
			}
		}
		t.instance(m, w, parent, idx)
	}
}

func (t *template) instance(m map[string]any, where string, parent int, copyIndex any) {
	if c, ok := m["condition"]; ok {
		v, err := t.evalDeep(c, copyIndex)
		if err != nil {
			t.fail(where+".condition", err)
			return
		}
		if b, ok := v.(bool); ok && !b {
			return // not deployed
		}
	}
	typ, _ := m["type"].(string)
	api, _ := m["apiVersion"].(string)
	if typ == "" || armexpr.IsExpression(typ) {
		t.fail(where+".type", errors.New("want a resource type such as Microsoft.Web/sites"))
		return
	}
	nameRaw, _ := m["name"].(string)
	if nameRaw == "" {
		t.fail(where+".name", errors.New("want the resource name"))
		return
	}
	nameV, err := armexpr.Eval(nameRaw, t.envFor(copyIndex, true))
	if err != nil {
		t.fail(where+".name", err)
		return
	}
	r := ARMResource{Type: typ, APIVersion: api, Where: where, parent: parent}
	var names []any
	if s, ok := nameV.(string); ok {
		for _, n := range strings.Split(s, "/") {
			if strings.Contains(n, unknownPart) {
				names = append(names, Unknown)
			} else {
				names = append(names, n)
			}
		}
	} else {
		names = []any{Unknown}
	}
	if parent >= 0 && !strings.Contains(typ, "/") {
		// A nested child with a relative type and name.
		p := t.out[parent]
		r.Type = p.Type + "/" + typ
		names = append(append([]any{}, p.Names...), names...)
	}
	if sub, ext, ok := strings.Cut(r.Type, "/providers/"); ok {
		// Legacy extension form: Microsoft.Cdn/profiles/providers/
		// diagnosticSettings named "fd/Microsoft.Insights/diag".
		base := strings.Count(sub, "/")
		if len(names) == base+1+strings.Count(ext, "/")+1 {
			if ns, _ := names[base].(string); ns != "" {
				r.Scope = scopeID(sub, names[:base], nameRaw)
				r.Type = ns + "/" + ext
				names = names[base+1:]
			}
		}
	}
	want := strings.Count(r.Type, "/")
	switch {
	case len(names) == 1 && IsUnknown(names[0]) && want > 1:
		names = make([]any, want)
		for i := range names {
			names[i] = Unknown
		}
	case len(names) != want:
		t.fail(where+".name", fmt.Errorf("%q has %d segments; type %s wants %d", nameRaw, len(names), r.Type, want))
		return
	}
	r.Names = names
	if sc, ok := m["scope"]; ok {
		v, err := t.evalDeep(sc, copyIndex)
		if err != nil {
			t.fail(where+".scope", err)
			return
		}
		if s, ok := v.(string); ok {
			if !strings.HasPrefix(s, "/") {
				s = templateScope + "/providers/" + s // Bicep writes scopes relative to the group
			}
			r.Scope = s
		} else {
			r.Scope = Unknown
		}
	}
	r.ID = templateID(r, nameRaw)
	if strings.EqualFold(r.Type, "Microsoft.Resources/deployments") && t.nested(m, where, copyIndex) {
		return
	}
	body := map[string]any{}
	for k, v := range m {
		if resourceKeys[k] {
			continue
		}
		ev, err := t.evalDeep(v, copyIndex)
		if err != nil {
			t.fail(where+"."+k, err)
			continue
		}
		body[k] = markers(ev)
	}
	r.Body = body
	t.out = append(t.out, r)
	self := len(t.out) - 1
	if children, ok := m["resources"].([]any); ok {
		for i, c := range children {
			t.resource(c, fmt.Sprintf("%s.resources[%d]", where, i), self)
		}
	}
}

// nested expands a deployment with an inline template (a Bicep module):
// its resources are judged with the rest. It reports false for a linked
// template (templateLink), which stays a resource not judged.
func (t *template) nested(m map[string]any, where string, copyIndex any) bool {
	props, _ := m["properties"].(map[string]any)
	inner, ok := props["template"].(map[string]any)
	if !ok {
		return false
	}
	scope := ""
	if o, ok := props["expressionEvaluationOptions"].(map[string]any); ok {
		scope, _ = o["scope"].(string)
	}
	sub := &template{given: t.given, depth: t.depth}
	if strings.EqualFold(scope, "inner") {
		// The module's parameters are evaluated here and passed in.
		given := &ARMParameters{Name: where + ".properties.parameters", Values: map[string]any{}}
		if ps, ok := props["parameters"].(map[string]any); ok {
			for k, p := range ps {
				pm, _ := p.(map[string]any)
				if _, has := pm["value"]; !has {
					given.Values[k] = armexpr.Unknown // a Key Vault reference
					continue
				}
				v, err := t.evalDeep(pm["value"], copyIndex)
				if err != nil {
					t.fail(where+".properties.parameters."+k, err)
					v = armexpr.Unknown
				}
				given.Values[k] = v
			}
		}
		sub.given = given
		sub.load(inner, where+".properties.template.")
	} else {
		// Outer scope: the inner template's expressions see this one's
		// parameters and variables.
		sub.params, sub.vars, sub.varDone, sub.varBusy = t.params, t.vars, t.varDone, t.varBusy
		if rs, ok := inner["resources"].([]any); ok {
			for i, c := range rs {
				sub.resource(c, fmt.Sprintf("%s.properties.template.resources[%d]", where, i), -1)
			}
		}
	}
	t.problems = append(t.problems, sub.problems...)
	t.out = append(t.out, sub.out...)
	return true
}

// scopeID is the id of the resource a legacy extension resource extends.
func scopeID(typ string, names []any, raw string) string {
	segs := strings.Split(typ, "/")
	id := templateScope + "/providers/" + segs[0]
	for i, n := range names {
		s, ok := n.(string)
		if !ok {
			s = raw
		}
		id += "/" + segs[i+1] + "/" + s
	}
	return id
}

// templateID builds a resource's id as Azure will (the scope being
// placeholders); a name only known at deployment shows as its expression.
func templateID(r ARMResource, raw string) string {
	prefix := templateScope
	if s, ok := r.Scope.(string); ok && s != "" {
		prefix = s
	}
	segs := strings.Split(r.Type, "/")
	id := prefix + "/providers/" + segs[0]
	for i, n := range r.Names {
		s, ok := n.(string)
		if !ok {
			s = raw
		}
		id += "/" + segs[i+1] + "/" + s
	}
	return id
}

// ARMParameters are the values of an ARM parameters file
// (deploymentParameters.json): what `--parameters FILE` gives.
type ARMParameters struct {
	Name   string         // file name, for messages
	Values map[string]any // by name; Key Vault references are Secret
}

func (p *ARMParameters) value(name string) (any, bool) {
	for k, v := range p.Values {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

func (p *ARMParameters) names() []string {
	out := make([]string, 0, len(p.Values))
	for k := range p.Values {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ParseARMParameters reads an ARM parameters file: {"parameters": {"x":
// {"value": ...} or {"reference": {"keyVault": ..., "secretName": ...}}}}
// (the bare parameters object is accepted too, as az does). Values are
// literal; a Key Vault reference is a secret whose value is never read.
func ParseARMParameters(data []byte, name string) (*ARMParameters, error) {
	doc, err := decodeObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ps := doc
	if inner, ok := doc["parameters"].(map[string]any); ok {
		ps = inner
	} else if s, _ := doc["$schema"].(string); s != "" {
		return nil, fmt.Errorf("%s: no parameters object", name)
	}
	out := &ARMParameters{Name: name, Values: map[string]any{}}
	var problems []error
	keys := make([]string, 0, len(ps))
	for k := range ps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "$schema" || k == "contentVersion" {
			continue
		}
		entry, _ := ps[k].(map[string]any)
		v, hasValue := entry["value"]
		_, hasRef := entry["reference"]
		switch {
		case entry == nil:
			problems = append(problems, fmt.Errorf("parameters.%s: want {\"value\": ...} or {\"reference\": ...}, got %s", k, jsonKind(ps[k])))
		case hasValue:
			out.Values[k] = v
		case hasRef:
			out.Values[k] = armexpr.Secret
		default:
			problems = append(problems, fmt.Errorf("parameters.%s: has neither value nor reference", k))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %w", name, errors.Join(problems...))
	}
	return out, nil
}
