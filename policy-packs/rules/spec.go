package rules

import (
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/templates/streamlit"
)

// ConfigFromSpec is the configuration a stack's Spec implies: its allowed
// origins, size limits, instance count and blocked paths, so plan, check
// and the packs judge a stack by the same numbers it was built from.
func ConfigFromSpec(s *spec.Spec) Config {
	cfg := DefaultConfig()
	cfg.AllowedOrigins = s.Origins()
	if s.MaxMessageSizeMB > 0 {
		cfg.MaxMessageSizeMB = s.MaxMessageSizeMB
	}
	if s.MaxUploadSizeMB > 0 {
		cfg.MaxUploadSizeMB = s.MaxUploadSizeMB
	}
	cfg.InstanceCount = s.InstanceCount
	cfg.BlockedPaths = s.BlockedPathsAll()
	cfg.RequireAuthentication = s.AuthMode == spec.AuthEntraID
	cfg.StreamlitVersion = s.StreamlitVersion
	cfg.AllowedHosts = []string{streamlit.AppHostName(s)}
	if s.MaxWidgetStateSizeMB > 0 {
		cfg.MaxWidgetStateSizeMB = s.MaxWidgetStateSizeMB
	}
	return cfg
}
