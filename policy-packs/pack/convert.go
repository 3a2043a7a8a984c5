// Package pack turns the rules library into a policyx policy pack: one
// Pulumi policy per rule, properties converted from property.Map to the
// inventory model so the engine and `streamsec check` run the same code.
package pack

import (
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/streamsec/streamsec/internal/inventory"
)

// Inputs converts a resource's properties to plain JSON-like values:
// computed values become inventory.Unknown and secrets inventory.SecretMask
// (their content is dropped here and never reaches a rule or a message).
func Inputs(m property.Map) map[string]any {
	out := make(map[string]any, m.Len())
	for k, v := range m.All {
		out[k] = Value(v)
	}
	return out
}

// Value converts one property value.
func Value(v property.Value) any {
	switch {
	case v.Secret():
		return inventory.SecretMask
	case v.IsComputed():
		return inventory.Unknown
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.AsBool()
	case v.IsNumber():
		return v.AsNumber()
	case v.IsString():
		return v.AsString()
	case v.IsArray():
		arr := v.AsArray()
		out := make([]any, 0, arr.Len())
		for _, e := range arr.All {
			out = append(out, Value(e))
		}
		return out
	case v.IsMap():
		return Inputs(v.AsMap())
	case v.IsResourceReference():
		ref := v.AsResourceReference()
		// A reference stands for the resource's id, which the URN names.
		return string(ref.URN)
	case v.IsAsset(), v.IsArchive():
		return "[asset]"
	}
	return nil
}
