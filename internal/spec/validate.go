package spec

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/go-multierror"

	"github.com/streamsec/streamsec/internal/streamlitopts"
)

// FieldError is one problem with one key: which key, the value seen (quoted
// and shortened so hostile values cannot garble the message) and what is
// allowed.
type FieldError struct {
	Key     string
	Value   string
	Allowed string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s:%s: %s", Namespace, e.Key, e.Allowed)
	}
	return fmt.Sprintf("%s:%s = %s: %s", Namespace, e.Key, e.Value, e.Allowed)
}

// quote shows a value safely: quoted, control characters escaped, cut.
func quote(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 64 {
		s = s[:64] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// InternalPaths returns the Streamlit endpoints the internet never needs
// (CONTROLS.md WS-EXP-01): metrics, and the agent API routes (1.67.0
// registers /_stcore/agent/interact, /mcp and /openapi.json on every app,
// starlette_agent_routes.py). They are always blocked; blockedPaths adds to
// them. A fresh slice each call, so no caller can change the list.
func InternalPaths() []string { return []string{"/_stcore/metrics", "/st-metrics", "/_stcore/agent/"} }

// cookieSecretMissing is what RequireSecrets says when a deploy would need
// the cookie secret and the stack has none.
const cookieSecretMissing = "is not set: run `streamsec init --stack ENV` (it generates one) or `pulumi config set --secret streamsec:cookieSecret <64 hex characters>`"

// Decode builds a Spec for stack from the defaults and the values src holds,
// and validates it. All problems come back at once as a *multierror.Error of
// *FieldError.
func Decode(stack string, src Source) (*Spec, error) {
	s := Defaults()
	s.Stack = stack
	var errs *multierror.Error
	for _, f := range fields() {
		raw, ok := src(f.key)
		if !ok || raw == nil {
			continue
		}
		v, err := convert(f.kind, raw)
		if err != nil {
			shown := raw
			if f.kind == kindSecret {
				shown = Mask
			}
			errs = multierror.Append(errs, &FieldError{Key: f.key, Value: quote(shown), Allowed: err.Error()})
			continue
		}
		f.set(&s, v)
	}
	if err := s.Validate(); err != nil {
		var me *multierror.Error
		if errors.As(err, &me) {
			errs = multierror.Append(errs, me.Errors...)
		} else {
			errs = multierror.Append(errs, err)
		}
	}
	if errs != nil {
		errs.ErrorFormat = formatErrors
		return nil, errs
	}
	return &s, nil
}

// formatErrors lists every problem on its own line.
func formatErrors(es []error) string {
	lines := make([]string, 0, len(es)+1)
	lines = append(lines, fmt.Sprintf("%d problem(s) in the environment spec:", len(es)))
	for _, e := range es {
		lines = append(lines, "  - "+e.Error())
	}
	return strings.Join(lines, "\n")
}

// RequireSecrets checks what a real deployment needs beyond a plan: the
// cookie secret must exist (plans use a placeholder).
func (s *Spec) RequireSecrets() error {
	if !s.CookieSecret.Set() {
		return &FieldError{Key: "cookieSecret", Allowed: cookieSecretMissing}
	}
	return nil
}

var (
	reAppName      = regexp.MustCompile(`^[a-z][a-z0-9-]{1,22}[a-z0-9]$`)
	reStack        = regexp.MustCompile(`^[a-z][a-z0-9-]{0,22}[a-z0-9]$|^[a-z]$`)
	rePrefix       = regexp.MustCompile(`^[a-z][a-z0-9]{1,7}$`)
	reEntry        = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]{0,199}\.py$`)
	rePath         = regexp.MustCompile(`^/[A-Za-z0-9_./-]{0,199}$`)
	reCertName     = regexp.MustCompile(`^[A-Za-z0-9-]{1,127}$`)
	reGUID         = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reDNSLabel     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	reTagKey       = regexp.MustCompile(`^[A-Za-z0-9_.:-][A-Za-z0-9 _.:-]{0,126}$`)
	skuTiers       = map[string]int{"B1": 3, "B2": 3, "B3": 3, "S1": 10, "S2": 10, "S3": 10, "P0v3": 30, "P1v3": 30, "P2v3": 30, "P3v3": 30, "P1mv3": 30, "P2mv3": 30, "P3mv3": 30, "P4mv3": 30, "P5mv3": 30}
	pythonVersions = []string{"3.10", "3.11", "3.12", "3.13"}
)

// locations are the Azure regions where App Service, Front Door origins,
// Key Vault and Storage are all offered.
var locations = []string{
	"australiacentral", "australiaeast", "australiasoutheast", "brazilsouth", "canadacentral", "canadaeast",
	"centralindia", "centralus", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral",
	"israelcentral", "italynorth", "japaneast", "japanwest", "koreacentral", "koreasouth", "mexicocentral",
	"northcentralus", "northeurope", "norwayeast", "polandcentral", "qatarcentral", "southafricanorth",
	"southcentralus", "southeastasia", "southindia", "spaincentral", "swedencentral", "switzerlandnorth",
	"uaenorth", "uksouth", "ukwest", "westcentralus", "westeurope", "westindia", "westus", "westus2", "westus3",
}

// Validate checks every field and returns all problems at once.
func (s *Spec) Validate() error {
	var errs *multierror.Error
	bad := func(key string, value any, allowed string, args ...any) {
		errs = multierror.Append(errs, &FieldError{Key: key, Value: quote(value), Allowed: fmt.Sprintf(allowed, args...)})
	}
	missing := func(key, allowed string) {
		errs = multierror.Append(errs, &FieldError{Key: key, Allowed: "is required: " + allowed})
	}

	if !reStack.MatchString(s.Stack) {
		errs = multierror.Append(errs, fmt.Errorf("stack name %s: must be 1-24 lowercase letters, digits and hyphens, starting with a letter", quote(s.Stack)))
	}
	switch {
	case s.AppName == "":
		missing("appName", "3-24 lowercase letters, digits and hyphens, for example dashboard")
	case !reAppName.MatchString(s.AppName):
		bad("appName", s.AppName, "must be 3-24 lowercase letters, digits and hyphens, starting with a letter")
	}
	if !slices.Contains(locations, s.Location) {
		bad("location", s.Location, "must be an Azure region name such as westeurope or eastus2")
	}
	switch {
	case s.NamePrefix == "":
		missing("namePrefix", "2-8 lowercase letters and digits, for example acme")
	case !rePrefix.MatchString(s.NamePrefix):
		bad("namePrefix", s.NamePrefix, "must be 2-8 lowercase letters and digits, starting with a letter")
	}
	if len(s.Tags) > 15 {
		bad("tags", len(s.Tags), "at most 15 tags (Azure allows 50; streamsec adds its own)")
	}
	for k, v := range s.Tags {
		if !reTagKey.MatchString(k) {
			bad("tags", k, "tag names are 1-127 letters, digits, spaces and _ . : -")
		}
		if len(v) > 256 || hasControl(v) || strings.ContainsAny(v, "<>%&\\?") {
			bad("tags", v, "tag values are at most 256 printable characters without < > %% & \\ ?")
		}
	}

	maxInstances, knownSku := skuTiers[s.AppServiceSku]
	if !knownSku {
		bad("appServiceSku", s.AppServiceSku, "must be one of %s (Free and Shared plans have no VNet integration or Always On)", strings.Join(sortedKeys(skuTiers), ", "))
	}
	if s.InstanceCount < 1 || (knownSku && s.InstanceCount > maxInstances) {
		limit := maxInstances
		if !knownSku {
			limit = 30
		}
		bad("instanceCount", s.InstanceCount, "must be 1 to %d for this plan", limit)
	}
	if !slices.Contains(pythonVersions, s.PythonVersion) {
		bad("pythonVersion", s.PythonVersion, "must be one of %s (App Service Linux runtimes)", strings.Join(pythonVersions, ", "))
	}
	if err := streamlitopts.Supported(s.StreamlitVersion); err != nil {
		bad("streamlitVersion", s.StreamlitVersion, "%v", err)
	}
	if !reEntry.MatchString(s.AppEntry) || strings.Contains(s.AppEntry, "..") || strings.HasPrefix(s.AppEntry, "/") {
		bad("appEntry", s.AppEntry, "must be a relative path to a .py file inside the app, such as app.py or src/dashboard.py")
	}
	if !rePath.MatchString(s.HealthCheckPath) {
		bad("healthCheckPath", s.HealthCheckPath, "must be a URL path such as /_stcore/health")
	}

	if s.Domain != "" && !validHost(s.Domain) {
		bad("domain", s.Domain, "must be a lowercase DNS name with at least two labels, such as dash.example.com (no scheme, port, path or wildcard)")
	}
	if len(s.AllowedOrigins) > 10 {
		bad("allowedOrigins", len(s.AllowedOrigins), "at most 10 origins")
	}
	for _, o := range s.AllowedOrigins {
		if msg := originProblem(o); msg != "" {
			bad("allowedOrigins", o, "%s", msg)
		}
	}

	if s.FrontDoorSku != FrontDoorStandard && s.FrontDoorSku != FrontDoorPremium {
		bad("frontDoorSku", s.FrontDoorSku, "must be %s or %s", FrontDoorStandard, FrontDoorPremium)
	}
	if s.WAFMode != WAFPrevention && s.WAFMode != WAFDetection {
		bad("wafMode", s.WAFMode, "must be %s (blocks) or %s (logs only)", WAFPrevention, WAFDetection)
	}
	if s.RateLimitPerMinute < 10 || s.RateLimitPerMinute > 1000 {
		bad("rateLimitPerMinute", s.RateLimitPerMinute, "must be 10 to 1000 WebSocket handshakes per client IP per minute (Front Door's minimum threshold is 10)")
	}
	if len(s.BlockedPaths) > 20 {
		bad("blockedPaths", len(s.BlockedPaths), "at most 20 paths")
	}
	for _, p := range s.BlockedPaths {
		if !rePath.MatchString(p) || p == "/" || strings.HasPrefix(p, "/_stcore/stream") || strings.HasPrefix(p, "/_stcore/health") {
			bad("blockedPaths", p, "must be URL paths such as /admin; not /, the WebSocket path or the health check")
		}
	}

	switch s.CertificateSource {
	case CertificateManaged:
		if s.CertificateName != "" {
			bad("certificateName", s.CertificateName, "is only used with certificateSource %s", CertificateKeyVault)
		}
	case CertificateKeyVault:
		if s.Domain == "" {
			missing("domain", "a custom domain, since certificateSource is keyVault")
		}
		if s.CertificateName == "" {
			missing("certificateName", "the name of the certificate in the stack's Key Vault, since certificateSource is keyVault")
		} else if !reCertName.MatchString(s.CertificateName) {
			bad("certificateName", s.CertificateName, "must be 1-127 letters, digits and hyphens (a Key Vault object name)")
		}
	default:
		bad("certificateSource", s.CertificateSource, "must be %s or %s", CertificateManaged, CertificateKeyVault)
	}

	switch s.AuthMode {
	case AuthNone:
		if s.AuthTenantID != "" || s.AuthClientID != "" {
			bad("authMode", s.AuthMode, "authTenantId and authClientId are set: use authMode %s, or remove them", AuthEntraID)
		}
	case AuthEntraID:
		if !reGUID.MatchString(s.AuthTenantID) {
			bad("authTenantId", s.AuthTenantID, "must be the Entra ID tenant id (a GUID) when authMode is %s", AuthEntraID)
		}
		if !reGUID.MatchString(s.AuthClientID) {
			bad("authClientId", s.AuthClientID, "must be the app registration's client id (a GUID) when authMode is %s", AuthEntraID)
		}
	default:
		bad("authMode", s.AuthMode, "must be %s or %s", AuthNone, AuthEntraID)
	}

	if s.MaxMessageSizeMB < 1 || s.MaxMessageSizeMB > 200 {
		bad("maxMessageSizeMb", s.MaxMessageSizeMB, "must be 1 to 200 (MB); the guide asks for about 1, Streamlit's 200 is far too high")
	}
	if s.MaxUploadSizeMB < 1 || s.MaxUploadSizeMB > 200 {
		bad("maxUploadSizeMb", s.MaxUploadSizeMB, "must be 1 to 200 (MB)")
	}
	if s.MaxWidgetStateSizeMB < 1 || s.MaxWidgetStateSizeMB > 200 {
		bad("maxWidgetStateSizeMb", s.MaxWidgetStateSizeMB, "must be 1 to 200 (MB); Streamlit's default of 25 lets one client send 25 MB per message")
	}
	if s.SessionTTLSeconds < 10 || s.SessionTTLSeconds > 3600 {
		bad("sessionTtlSeconds", s.SessionTTLSeconds, "must be 10 to 3600 seconds")
	}
	if s.PingIntervalSeconds < 30 || s.PingIntervalSeconds > 240 {
		bad("pingIntervalSeconds", s.PingIntervalSeconds, "must be 30 to 240 seconds: under 30 breaks on Tornado 6.5+, over 240 lets Front Door's 5-minute idle timeout cut live sessions")
	}

	s.validateNetwork(bad)

	if s.LogRetentionDays < 30 || s.LogRetentionDays > 730 {
		bad("logRetentionDays", s.LogRetentionDays, "must be 30 to 730 days (Log Analytics interactive retention)")
	}
	if s.CookieSecret.value != "" && (len(s.CookieSecret.value) < 32 || len(s.CookieSecret.value) > 256 || hasControl(s.CookieSecret.value)) {
		errs = multierror.Append(errs, &FieldError{Key: "cookieSecret", Value: Mask, Allowed: "must be 32 to 256 printable characters (streamsec init generates 64 hex characters)"})
	}
	if errs != nil {
		errs.ErrorFormat = formatErrors
		return errs
	}
	return nil
}

func (s *Spec) validateNetwork(bad func(key string, value any, allowed string, args ...any)) {
	vnet, err := netip.ParsePrefix(s.VNetAddressSpace)
	vnetOK := err == nil && vnet.Addr().Is4() && vnet.Masked() == vnet && vnet.Bits() >= 8 && vnet.Bits() <= 24 && vnet.Addr().IsPrivate()
	if !vnetOK {
		bad("vnetAddressSpace", s.VNetAddressSpace, "must be a private IPv4 CIDR block from /8 to /24 with no host bits, such as 10.40.0.0/16")
	}
	var subnets []netip.Prefix
	for _, sn := range []struct{ key, value string }{{"appSubnet", s.AppSubnet}, {"privateEndpointSubnet", s.PrivateEndpointSubnet}} {
		p, err := netip.ParsePrefix(sn.value)
		switch {
		case err != nil || !p.Addr().Is4() || p.Masked() != p:
			bad(sn.key, sn.value, "must be an IPv4 CIDR block with no host bits, such as 10.40.1.0/24")
			continue
		case p.Bits() > 28:
			bad(sn.key, sn.value, "must be /28 or larger (App Service VNet integration and private endpoints need the room)")
			continue
		case vnetOK && !(vnet.Contains(p.Addr()) && p.Bits() >= vnet.Bits()):
			bad(sn.key, sn.value, "must lie inside vnetAddressSpace %s", s.VNetAddressSpace)
			continue
		}
		subnets = append(subnets, p)
	}
	if len(subnets) == 2 && subnets[0].Overlaps(subnets[1]) {
		bad("privateEndpointSubnet", s.PrivateEndpointSubnet, "must not overlap appSubnet %s", s.AppSubnet)
	}
}

// Origins returns the browser origins allowed to open the WebSocket: the
// configured ones plus https://domain. Order is stable, duplicates removed.
func (s *Spec) Origins() []string {
	var out []string
	if s.Domain != "" {
		out = append(out, "https://"+s.Domain)
	}
	for _, o := range s.AllowedOrigins {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// BlockedPathsAll returns the internal Streamlit paths plus blockedPaths.
func (s *Spec) BlockedPathsAll() []string {
	out := InternalPaths()
	for _, p := range s.BlockedPaths {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// originProblem explains why o is not an acceptable browser origin, or
// returns "" when it is.
func originProblem(o string) string {
	const form = "must be https://host or https://host:port"
	switch {
	case o == "" || o == "null" || strings.Contains(o, "*"):
		return form + "; null, empty and wildcard origins would let any site open the socket"
	case hasControl(o) || strings.ContainsAny(o, " \"'#[]\\<>"):
		return form + "; quotes, spaces, #, brackets and control characters are not allowed"
	case len(o) > 253+8+6:
		return form + "; too long"
	}
	u, err := url.Parse(o)
	if err != nil {
		return form
	}
	switch {
	case u.Scheme == "http":
		return form + "; plain http origins are refused (wss only, WS-TLS-01)"
	case u.Scheme != "https":
		return form
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") || u.Opaque != "":
		return form + " with no user, path, query or fragment"
	}
	host, port := u.Hostname(), u.Port()
	if !validHost(host) {
		return form + "; the host must be a lowercase DNS name with at least two labels"
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return form + "; the port must be 1-65535"
		}
	}
	if u.Path == "/" {
		return form + " without a trailing slash (browsers send none)"
	}
	return ""
}

// validHost accepts lowercase DNS names with two or more labels, no IPs.
func validHost(h string) bool {
	if len(h) > 253 || net.ParseIP(h) != nil {
		return false
	}
	labels := strings.Split(h, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !reDNSLabel.MatchString(l) {
			return false
		}
	}
	return !strings.ContainsFunc(labels[len(labels)-1], unicode.IsDigit)
}

func hasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
