package plan

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/streamsec/streamsec/internal/inventory"
)

// plainMap converts engine property values to plain JSON values: secrets
// become inventory.SecretMask (their content is dropped here, so it cannot
// leak further), unknowns become inventory.Unknown, resource references
// their URN.
func plainMap(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[string(k)] = plain(v)
	}
	return out
}

func plain(v resource.PropertyValue) any {
	switch {
	case v.IsNull():
		return nil
	case v.IsSecret():
		return inventory.SecretMask
	case v.IsComputed():
		return inventory.Unknown
	case v.IsOutput():
		o := v.OutputValue()
		switch {
		case o.Secret:
			return inventory.SecretMask
		case !o.Known:
			return inventory.Unknown
		}
		return plain(o.Element)
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = plain(e)
		}
		return out
	case v.IsObject():
		return plainMap(v.ObjectValue())
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset(), v.IsArchive():
		return "[asset]"
	}
	return nil
}
