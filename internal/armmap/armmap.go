// Package armmap maps ARM resources (a template's, or what az resource
// show prints) to the azure-native tokens and inputs the policy rules
// judge, with the schema table (internal/azschema) as the only source:
// the token for an ARM type, and for every input where it lives in the ARM
// body (un-flattening `properties`, undoing renames such as
// supportsHttpsTrafficOnly -> enableHttpsTrafficOnly).
package armmap

import (
	"fmt"
	"sort"
	"strings"

	"github.com/streamsec/streamsec/internal/azschema"
	"github.com/streamsec/streamsec/internal/inventory"
)

// Mapper implements inventory.ARMMapper over a schema table.
type Mapper struct {
	byType  map[string][]*azschema.Type // lower-cased ARM type
	armName map[string]string           // lower-cased ARM type -> input of its last name segment
}

// New indexes the table's ARM types.
func New(s *azschema.Schema) *Mapper {
	m := &Mapper{byType: map[string][]*azschema.Type{}, armName: map[string]string{}}
	for _, t := range s.Types() {
		if t.ARMType == "" {
			continue // data-plane resources (storage:Blob) have no ARM form
		}
		k := strings.ToLower(t.ARMType)
		m.byType[k] = append(m.byType[k], t)
		if t.ARMName != "" {
			m.armName[k] = t.ARMName
		}
	}
	return m
}

// lookup finds the table entry for an ARM type, API version and last
// name. A singleton child (basicPublishingCredentialsPolicies/ftp) matches
// only its fixed name. Another API version of a known type is mapped with
// the table's version (property names are stable across versions; the
// note says so).
func (m *Mapper) lookup(armType, api, name string) (*azschema.Type, string) {
	var fits []*azschema.Type
	for _, t := range m.byType[strings.ToLower(armType)] {
		if t.ARMFixedName == "" || strings.EqualFold(t.ARMFixedName, name) {
			fits = append(fits, t)
		}
	}
	if len(fits) == 0 {
		return nil, ""
	}
	sort.SliceStable(fits, func(i, j int) bool {
		// Fixed-name entries first (they are the more specific), then the
		// newest version.
		if (fits[i].ARMFixedName != "") != (fits[j].ARMFixedName != "") {
			return fits[i].ARMFixedName != ""
		}
		return fits[i].APIVersion > fits[j].APIVersion
	})
	for _, t := range fits {
		if t.APIVersion == api && (t.ARMFixedName != "" || fits[0].ARMFixedName == "") {
			return t, ""
		}
	}
	t := fits[0]
	if api == "" {
		return t, ""
	}
	return t, fmt.Sprintf("%s %s judged with the table's API version %s", armType, api, t.APIVersion)
}

// MapARM implements inventory.ARMMapper.
func (m *Mapper) MapARM(r inventory.ARMResource) (inventory.ARMMapped, string, bool) {
	last := ""
	if len(r.Names) > 0 {
		last, _ = r.Names[len(r.Names)-1].(string)
	}
	t, note := m.lookup(r.Type, r.APIVersion, last)
	if t == nil {
		what := r.Type
		if _, fixed := m.byType[strings.ToLower(r.Type)]; fixed && last != "" {
			what = fmt.Sprintf("%s named %q", r.Type, last)
		}
		return inventory.ARMMapped{}, fmt.Sprintf("the schema table has no entry for %s, so no rule judges it", what), false
	}
	inputs := object(t.Inputs, r.Body, !r.Live)
	segs := strings.Split(r.Type, "/")
	for name, p := range t.Inputs.Properties {
		if p.In != "path" {
			continue
		}
		switch {
		case name == "resourceGroupName":
			// A template's group is chosen at deployment.
			inputs[name] = inventory.Unknown
			if g := resourceGroup(r.ID); g != "" {
				inputs[name] = g
			}
		case name == "resourceUri" || name == "scope":
			if r.Scope != nil {
				inputs[name] = r.Scope
			}
		case name == t.ARMName && len(r.Names) > 0:
			inputs[name] = r.Names[len(r.Names)-1]
		default:
			// A parent's name: the ancestor type whose last segment it is.
			for k := 1; k < len(segs)-1 && k-1 < len(r.Names); k++ {
				if m.armName[strings.ToLower(strings.Join(segs[:k+1], "/"))] == name {
					inputs[name] = r.Names[k-1]
				}
			}
		}
	}
	return inventory.ARMMapped{Token: t.Token, Inputs: inputs, Note: note}, "", true
}

// resourceGroup reads the group from an id, unless it is a placeholder.
func resourceGroup(id string) string {
	lower := strings.ToLower(id)
	i := strings.Index(lower, "/resourcegroups/")
	if i < 0 {
		return ""
	}
	g, _, _ := strings.Cut(id[i+len("/resourcegroups/"):], "/")
	if strings.HasPrefix(g, "{") {
		return ""
	}
	return g
}

// object maps an ARM object to the inputs p describes. Names the table
// does not know are kept (properties lifted, as azure-native flattens
// them) when keep is set, so the azure-schema rule names a misspelled
// setting in a template; a live resource's are its read-only values,
// left out (its outputs keep them).
func object(p *azschema.Prop, src map[string]any, keep bool) map[string]any {
	out := make(map[string]any, len(p.Properties))
	used := map[string]bool{}
	for name, c := range p.Properties {
		if c.In == "path" {
			continue
		}
		loc := c.ARM
		if len(loc) == 0 {
			loc = []string{name}
		}
		used[strings.ToLower(strings.Join(loc, "."))] = true
		if v, ok := lookup(src, loc); ok {
			out[name] = value(c, v, keep)
		}
	}
	if !keep {
		return out
	}
	for k, v := range src {
		if used[strings.ToLower(k)] {
			continue
		}
		if props, ok := v.(map[string]any); ok && strings.EqualFold(k, "properties") {
			for pk, pv := range props {
				if _, taken := out[pk]; !taken && !used["properties."+strings.ToLower(pk)] {
					out[pk] = pv
				}
			}
			continue
		}
		if _, taken := out[k]; !taken {
			out[k] = v
		}
	}
	return out
}

// value maps one ARM value to azure-native's shape.
func value(p *azschema.Prop, v any, keep bool) any {
	switch x := v.(type) {
	case map[string]any:
		switch {
		case len(p.OneOf) > 0:
			if alt := pick(p, x); alt != nil {
				return object(alt, x, keep)
			}
			return x
		case len(p.Properties) > 0:
			return object(p, x, keep)
		case p.AdditionalProperties != nil:
			out := make(map[string]any, len(x))
			for k, e := range x {
				out[k] = value(p.AdditionalProperties, e, keep)
			}
			return out
		}
	case []any:
		if p.Items != nil {
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = value(p.Items, e, keep)
			}
			return out
		}
	}
	return v
}

// pick returns the alternative of a polymorphic object whose
// discriminator constant the ARM value carries.
func pick(p *azschema.Prop, x map[string]any) *azschema.Prop {
	for _, alt := range p.OneOf {
		d := alt.Properties[p.Discriminator]
		if d == nil {
			continue
		}
		loc := d.ARM
		if len(loc) == 0 {
			loc = []string{p.Discriminator}
		}
		tag, ok := lookup(x, loc)
		if s, isStr := tag.(string); ok && isStr && strings.EqualFold(s, d.Const) {
			return alt
		}
	}
	return nil
}

// lookup walks an ARM path; JSON names in ARM are case-insensitive. A
// computed or secret value met on the way is the value of every path
// below it.
func lookup(v any, path []string) (any, bool) {
	for _, step := range path {
		if inventory.IsUnknown(v) || v == inventory.SecretMask {
			return v, true
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		next, ok := m[step]
		if !ok {
			for k, e := range m {
				if strings.EqualFold(k, step) {
					next, ok = e, true
					break
				}
			}
		}
		if !ok {
			return nil, false
		}
		v = next
	}
	return v, true
}

// Load builds a Mapper over the embedded table (for
// inventory.ReadOptions.ARM).
func Load() (inventory.ARMMapper, error) {
	s, err := azschema.Load()
	if err != nil {
		return nil, err
	}
	return New(s), nil
}
