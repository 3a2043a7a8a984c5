package rules

import (
	"testing"

	"github.com/streamsec/streamsec/internal/inventory"
)

// A domain-less stack's origin settings are computed at preview; the
// credential rule leaves Streamlit's options to the streamlit-* rules and
// fails closed on any other computed value.
func TestNoStorageCredentialsUnknownValues(t *testing.T) {
	app := func(name string) inventory.Resource {
		return inventory.Resource{Type: typeWebApp, Inputs: map[string]any{"siteConfig": map[string]any{"appSettings": []any{
			map[string]any{"name": name, "value": inventory.Unknown},
		}}}}
	}
	if f := checkNoStorageCredentials(app("STREAMLIT_SERVER_CORS_ALLOWED_ORIGINS"), Config{}); len(f) != 0 {
		t.Errorf("computed Streamlit origin list: %v, want judged by the streamlit rules", f)
	}
	if f := checkNoStorageCredentials(app("DATA_CONNECTION"), Config{}); len(f) != 1 {
		t.Errorf("computed other setting: %v, want fail closed", f)
	}
}
