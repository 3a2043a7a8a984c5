package inventory

import (
	"sort"
	"strings"
)

// Kinds of ARM input Read recognises.
const (
	KindARMTemplate  = "arm-template"        // az group export, az bicep build, az deployment group export
	KindAzureListing = "azure-resource-list" // az resource list / az resource show
)

// ARMResource is one resource as ARM describes it, whatever document it
// came from; an ARMMapper turns it into an azure-native resource.
type ARMResource struct {
	ID         string // resource id (built for templates, with placeholders for the scope)
	Type       string // full ARM type: "Microsoft.Web/sites/config"
	APIVersion string // "" when the source does not say (az resource list)
	// Names are the name segments, one per type segment after the
	// namespace: ["app", "web"]. A segment only known at deployment is
	// Unknown.
	Names []any
	// Body is the request body: properties, sku, kind, identity, location,
	// tags... Values may be Unknown or SecretMask.
	Body map[string]any
	// Scope is the id of the resource an extension resource (a diagnostic
	// setting) extends: a string, Unknown, or nil for other resources.
	Scope any
	// Where is the resource's place in the input, for messages.
	Where string
	// Live marks what Azure returned (az resource show): read-only values
	// are part of the body, so names the table does not know are expected.
	Live bool
	// parent is the index of the enclosing resource in a template's nested
	// resources arrays, -1 otherwise.
	parent int
}

// ARMMapped is an ARM resource as azure-native presents it.
type ARMMapped struct {
	Token  string
	Inputs map[string]any
	Note   string // e.g. mapped with another API version's schema
}

// ARMMapper maps ARM resources to azure-native tokens and inputs (the
// schema table, internal/armmap). ok is false when the table does not know
// the type; reason then says so.
type ARMMapper interface {
	MapARM(r ARMResource) (m ARMMapped, reason string, ok bool)
}

// NotJudged is a resource no rule could see: its type is not in the
// schema table, or it could not be placed.
type NotJudged struct {
	Location   string `json:"location"`
	Type       string `json:"type"`
	APIVersion string `json:"apiVersion,omitempty"`
	Reason     string `json:"reason"`
}

// lastName returns the last name segment as text ("" when unknown).
func (r ARMResource) lastName() string {
	if len(r.Names) == 0 {
		return ""
	}
	s, _ := r.Names[len(r.Names)-1].(string)
	return s
}

// siteConfigChild names the Microsoft.Web/sites/config children that are
// parts of the site's siteConfig in azure-native (web:WebApp inputs):
// "web" is the SiteConfig itself, "appsettings" its appSettings as a map.
func siteConfigChild(r ARMResource) string {
	if !strings.EqualFold(r.Type, "Microsoft.Web/sites/config") {
		return ""
	}
	switch n := strings.ToLower(r.lastName()); n {
	case "web", "appsettings":
		return n
	}
	return ""
}

// fromARM maps ARM resources to inventory resources. Site configuration
// children are merged into their site first; types the mapper does not
// know are listed as not judged. withOutputs keeps a live resource's
// read-only values (a profile's frontDoorId) as outputs.
func fromARM(kind string, rs []ARMResource, m ARMMapper, withOutputs bool) (Input, error) {
	in := Input{Kind: kind, Resources: make([]Resource, 0, len(rs))}
	merged := mergeSiteConfig(rs, &in)
	notes := map[string]bool{}
	for i, r := range rs {
		if merged[i] {
			continue
		}
		mapped, reason, ok := m.MapARM(r)
		if !ok {
			in.NotJudged = append(in.NotJudged, NotJudged{Location: r.ID, Type: r.Type, APIVersion: r.APIVersion, Reason: reason})
			continue
		}
		if mapped.Note != "" && !notes[mapped.Note] {
			notes[mapped.Note] = true
			in.Notes = append(in.Notes, mapped.Note)
		}
		res := Resource{URN: r.ID, Type: mapped.Token, Name: r.lastName(), Inputs: mapped.Inputs}
		if res.Name == "" {
			res.Name = r.Where
		}
		if res.Inputs == nil {
			res.Inputs = map[string]any{}
		}
		if r.parent >= 0 {
			res.Parent = rs[r.parent].ID
		} else if i := strings.LastIndex(r.ID, "/"); i > 0 && len(r.Names) > 1 {
			// A child's id less its last type/name pair is its parent's.
			if j := strings.LastIndex(r.ID[:i], "/"); j > 0 {
				res.Parent = r.ID[:j]
			}
		}
		if withOutputs {
			res.Outputs = flatOutputs(r)
		}
		in.Resources = append(in.Resources, res)
	}
	sort.SliceStable(in.NotJudged, func(i, j int) bool { return in.NotJudged[i].Location < in.NotJudged[j].Location })
	return in, nil
}

// flatOutputs is what azure-native would show as a live resource's
// outputs at the top level: the body with properties lifted, plus id.
func flatOutputs(r ARMResource) map[string]any {
	out := map[string]any{"id": r.ID}
	for k, v := range r.Body {
		if k != "properties" {
			out[k] = v
		}
	}
	if props, ok := r.Body["properties"].(map[string]any); ok {
		for k, v := range props {
			out[k] = v
		}
	}
	return out
}

// mergeSiteConfig folds sites/config "web" and "appsettings" children into
// their site's properties.siteConfig (the child wins: Azure applies it after
// the site) and returns which resources were folded. A child whose site is
// not in the input is listed as not judged.
func mergeSiteConfig(rs []ARMResource, in *Input) map[int]bool {
	merged := map[int]bool{}
	var sites []int
	for i, r := range rs {
		if strings.EqualFold(r.Type, "Microsoft.Web/sites") {
			sites = append(sites, i)
		}
	}
	for i, r := range rs {
		what := siteConfigChild(r)
		if what == "" {
			continue
		}
		site := -1
		switch {
		case r.parent >= 0 && strings.EqualFold(rs[r.parent].Type, "Microsoft.Web/sites"):
			site = r.parent
		default:
			name, known := r.Names[0].(string)
			for _, s := range sites {
				sn, ok := rs[s].Names[0].(string)
				if known && ok && strings.EqualFold(sn, name) {
					site = s
				}
			}
			if site < 0 && len(sites) == 1 && !known {
				site = sites[0] // names only known at deployment, one site: its own
			}
		}
		merged[i] = true
		if site < 0 {
			in.NotJudged = append(in.NotJudged, NotJudged{Location: r.ID, Type: r.Type, APIVersion: r.APIVersion,
				Reason: "site configuration whose Microsoft.Web/sites is not in the input; export the site with it"})
			continue
		}
		body := rs[site].Body
		props, _ := body["properties"].(map[string]any)
		if props == nil {
			if IsUnknown(body["properties"]) {
				continue // the site's whole configuration is computed already
			}
			props = map[string]any{}
			body["properties"] = props
		}
		cfg, _ := props["siteConfig"].(map[string]any)
		if cfg == nil {
			cfg = map[string]any{}
		}
		child := r.Body["properties"]
		switch {
		case IsUnknown(child) || child == SecretMask:
			if what == "web" {
				props["siteConfig"] = child
				continue
			}
			cfg["appSettings"] = child
		case what == "web":
			for k, v := range asMap(child) {
				cfg[k] = v
			}
		default:
			// appsettings is a map of name to value; siteConfig.appSettings
			// is a list of {name, value}, in name order.
			m := asMap(child)
			names := make([]string, 0, len(m))
			for k := range m {
				names = append(names, k)
			}
			sort.Strings(names)
			list := make([]any, 0, len(names))
			for _, k := range names {
				list = append(list, map[string]any{"name": k, "value": m[k]})
			}
			cfg["appSettings"] = list
		}
		props["siteConfig"] = cfg
	}
	return merged
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// parseID splits a resource id into its ARM type, name segments and the
// scope an extension resource extends ("" for ordinary resources).
func parseID(id string) (typ string, names []any, scope string, ok bool) {
	lower := strings.ToLower(id)
	i := strings.LastIndex(lower, "/providers/")
	if i < 0 {
		return "", nil, "", false
	}
	if strings.Contains(lower[:i], "/providers/") {
		scope = id[:i]
	}
	segs := strings.Split(strings.Trim(id[i+len("/providers/"):], "/"), "/")
	if len(segs) < 3 || len(segs)%2 == 0 {
		return "", nil, "", false
	}
	typ = segs[0]
	for k := 1; k+1 < len(segs); k += 2 {
		typ += "/" + segs[k]
		names = append(names, segs[k+1])
	}
	return typ, names, scope, true
}
