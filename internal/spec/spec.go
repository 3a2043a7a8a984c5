// Package spec is the one model of an environment. Everything streamsec
// produces (the Pulumi resources, the Streamlit config, the offline plan, the
// report) is a function of a validated Spec; no value is typed twice.
package spec

import (
	"fmt"
	"strings"

	"github.com/streamsec/streamsec/internal/streamlitopts"
)

// Namespace is the Pulumi config namespace of every Spec key
// (`streamsec:domain` in Pulumi.<env>.yaml).
const Namespace = "streamsec"

// Enumerations the Spec accepts. They are the values Azure and Streamlit
// expect, so components pass them through unchanged.
const (
	FrontDoorStandard = "Standard_AzureFrontDoor"
	FrontDoorPremium  = "Premium_AzureFrontDoor"

	WAFPrevention = "Prevention"
	WAFDetection  = "Detection"

	CertificateManaged  = "managed"  // Front Door managed certificate
	CertificateKeyVault = "keyVault" // customer certificate in the stack's Key Vault

	AuthNone    = "none"
	AuthEntraID = "entraId" // App Service authentication with Microsoft Entra ID
)

// Spec is one environment (one Pulumi stack).
type Spec struct {
	// Stack is the environment name (the Pulumi stack), from the file name.
	Stack string `json:"stack"`

	AppName    string            `json:"appName"`
	Location   string            `json:"location"`
	NamePrefix string            `json:"namePrefix"`
	Tags       map[string]string `json:"tags"`

	// App Service.
	AppServiceSku    string `json:"appServiceSku"`
	InstanceCount    int    `json:"instanceCount"`
	PythonVersion    string `json:"pythonVersion"`
	StreamlitVersion string `json:"streamlitVersion"`
	AppEntry         string `json:"appEntry"`
	HealthCheckPath  string `json:"healthCheckPath"`

	// Public entry point. Domain is optional; AllowedOrigins are the browser
	// origins allowed to open the WebSocket, each https://host[:port].
	Domain         string   `json:"domain,omitempty"`
	AllowedOrigins []string `json:"allowedOrigins"`

	// Front Door and WAF.
	FrontDoorSku       string   `json:"frontDoorSku"`
	WAFMode            string   `json:"wafMode"`
	RateLimitPerMinute int      `json:"rateLimitPerMinute"`
	BlockedPaths       []string `json:"blockedPaths"`

	// Certificate for the custom domain.
	CertificateSource string `json:"certificateSource"`
	CertificateName   string `json:"certificateName,omitempty"`

	// Authentication before the WebSocket upgrade.
	AuthMode     string `json:"authMode"`
	AuthTenantID string `json:"authTenantId,omitempty"`
	AuthClientID string `json:"authClientId,omitempty"`

	// Streamlit limits and timers.
	MaxMessageSizeMB int `json:"maxMessageSizeMb"`
	MaxUploadSizeMB  int `json:"maxUploadSizeMb"`
	// MaxWidgetStateSizeMB bounds every client-sent WebSocket message and
	// the widget state of one rerun (server.maxWidgetStateSize, 1.60+).
	MaxWidgetStateSizeMB int `json:"maxWidgetStateSizeMb"`
	SessionTTLSeconds    int `json:"sessionTtlSeconds"`
	PingIntervalSeconds  int `json:"pingIntervalSeconds"`

	// Network address spaces (CIDR).
	VNetAddressSpace      string `json:"vnetAddressSpace"`
	AppSubnet             string `json:"appSubnet"`
	PrivateEndpointSubnet string `json:"privateEndpointSubnet"`

	// Logging.
	LogRetentionDays int `json:"logRetentionDays"`

	// CookieSecret is Streamlit's server.cookieSecret, shared by every
	// instance. It lives in the stack's encrypted config and reaches the app
	// as a Key Vault reference; it never prints.
	CookieSecret Secret `json:"cookieSecret"`
}

// Defaults are the values a key takes when the stack file leaves it out.
// They are the hardened choices; a stack file only names what differs.
func Defaults() Spec {
	return Spec{
		Location:              "westeurope",
		Tags:                  map[string]string{},
		AppServiceSku:         "P0v3",
		InstanceCount:         1,
		PythonVersion:         "3.12",
		StreamlitVersion:      streamlitopts.Newest,
		AppEntry:              "app.py",
		HealthCheckPath:       "/_stcore/health",
		FrontDoorSku:          FrontDoorStandard,
		WAFMode:               WAFPrevention,
		RateLimitPerMinute:    30,
		BlockedPaths:          InternalPaths(),
		CertificateSource:     CertificateManaged,
		AuthMode:              AuthNone,
		MaxMessageSizeMB:      5,
		MaxUploadSizeMB:       10,
		MaxWidgetStateSizeMB:  1,
		SessionTTLSeconds:     120,
		PingIntervalSeconds:   30,
		VNetAddressSpace:      "10.40.0.0/16",
		AppSubnet:             "10.40.1.0/24",
		PrivateEndpointSubnet: "10.40.2.0/24",
		LogRetentionDays:      90,
	}
}

// Premium reports whether the Front Door tier runs managed WAF rule sets
// and Private Link origins.
func (s *Spec) Premium() bool { return s.FrontDoorSku == FrontDoorPremium }

// MultiInstance reports whether requests can land on different instances, in
// which case sessions need affinity (ARR cookie and Front Door affinity).
func (s *Spec) MultiInstance() bool { return s.InstanceCount > 1 }

// ResourceName builds a deterministic Azure resource name
// "<prefix>-<app>-<stack>-<kind>", the form most resource types accept.
func (s *Spec) ResourceName(kind string) string {
	return strings.Join([]string{s.NamePrefix, s.AppName, s.Stack, kind}, "-")
}

// CompactName builds a name for resource types that allow only lowercase
// letters and digits (storage accounts), cut to max characters.
func (s *Spec) CompactName(kind string, max int) string {
	n := strings.ReplaceAll(s.NamePrefix+s.AppName+s.Stack+kind, "-", "")
	if len(n) > max {
		n = n[:max]
	}
	return n
}

// Secret holds a sensitive config value. Its String and JSON forms are
// always masked so it cannot leak through logs, plans or reports.
type Secret struct {
	value string
	// Encrypted is true when the stack file holds the value encrypted
	// (`secure:`), so it is known to exist but cannot be read offline.
	Encrypted bool
}

// Mask is how every secret prints.
const Mask = "[secret]"

// NewSecret wraps a plain value.
func NewSecret(v string) Secret { return Secret{value: v} }

// Value returns the plain value; callers must pass it on as a Pulumi secret.
func (s Secret) Value() string { return s.value }

// Set reports whether the secret has a value, plain or encrypted.
func (s Secret) Set() bool { return s.value != "" || s.Encrypted }

// String masks the value.
func (s Secret) String() string {
	if !s.Set() {
		return ""
	}
	return Mask
}

// GoString masks the value for %#v.
func (s Secret) GoString() string { return fmt.Sprintf("spec.Secret(%q)", s.String()) }

// MarshalJSON masks the value.
func (s Secret) MarshalJSON() ([]byte, error) {
	if !s.Set() {
		return []byte(`""`), nil
	}
	return []byte(`"` + Mask + `"`), nil
}

// MarshalText masks the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
