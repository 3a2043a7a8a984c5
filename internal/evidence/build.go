package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/streamsec/streamsec/internal/azureid"
	"github.com/streamsec/streamsec/internal/controls"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/spec"
	"github.com/streamsec/streamsec/internal/streamlitopts"
)

// Build answers every control of the catalogue from the inputs. The
// decision is deliberately strict: a control is met only when every
// required piece of evidence holds and at least one does; a failed or
// unprovable one makes it not met; live probes that were not run are
// stated as not yet shown, never counted as holding.
func Build(cat *controls.Catalogue, in Inputs) (*Report, error) {
	if cat == nil {
		return nil, errors.New("evidence: no control catalogue")
	}
	if in.Spec == nil {
		return nil, errors.New("evidence: no spec")
	}
	if in.EnvName == nil {
		return nil, errors.New("evidence: no Streamlit option name mapping")
	}
	digests, err := digest(in)
	if err != nil {
		return nil, err
	}
	r := &Report{
		Tool:                in.Tool,
		Version:             in.Version,
		Command:             "report",
		Stack:               in.Spec.Stack,
		GeneratedAt:         in.Now.UTC(),
		StreamlitVersion:    in.Spec.StreamlitVersion,
		StreamlitUnverified: unverified(in.Spec),
		AppPackage:          AppPackage(in.Resources),
		Environment:         environment(in),
		Digests:             digests,
	}
	if in.Probes != nil {
		r.Probes = &ProbeInfo{
			Source: in.ProbeSource, Target: in.Probes.Target,
			StartedAt: in.Probes.StartedAt.UTC(), FinishedAt: in.Probes.FinishedAt.UTC(),
			Count: len(in.Probes.Probes),
		}
	}
	j := joiner{in: in, settings: map[string]Setting{}, webApp: webAppSettings(in.Resources)}
	for _, s := range in.Settings {
		j.settings[s.Name] = s
	}
	for _, ctl := range cat.Controls {
		r.Controls = append(r.Controls, j.answer(ctl))
	}
	r.Summary = summarize(r.Controls, in.Probes != nil)
	r.Summary.Warnings = warnings(in)
	scrub(r, in.Spec)
	return r, nil
}

func environment(in Inputs) []KV {
	s := in.Spec
	kv := []KV{
		{"Stack", s.Stack},
		{"Spec", in.SpecSource},
		{"Streamlit version targeted", versionShown(s)},
		{"Front Door tier", s.FrontDoorSku},
		{"WAF mode", s.WAFMode},
		{"Instances", strconv.Itoa(s.InstanceCount)},
		{"Allowed origins", strings.Join(s.Origins(), ", ")},
		{"Authentication before the upgrade", s.AuthMode},
		{"Certificate", s.CertificateSource},
		{"Planned resources", strconv.Itoa(len(in.Resources))},
	}
	if s.Domain != "" {
		kv = append(kv[:7], append([]KV{{"Domain", s.Domain}}, kv[7:]...)...)
	}
	if d := AppPackage(in.Resources); d != "" {
		kv = append(kv, KV{"App package deployed", d})
	}
	return kv
}

// AppPackage is the digest of the app package a stack deployed: the
// appPackage tag of its OneDeploy deployment (components.NewAppRelease).
// "" when the input holds none (an offline plan, a stack never deployed).
func AppPackage(rs []inventory.Resource) string {
	for _, r := range rs {
		if inventory.BaseType(r.Type) != "azure-native:resources:Deployment" {
			continue
		}
		if v, ok := inventory.Lookup(r.Inputs, "tags.appPackage"); ok {
			if d, ok := v.(string); ok && strings.HasPrefix(d, "sha256:") {
				return d
			}
		}
	}
	return ""
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// digest hashes each input in a canonical JSON form (the Spec with its
// secret masked, so the digest reveals nothing) and all of them together.
func digest(in Inputs) (Digests, error) {
	specJSON, err := json.Marshal(in.Spec)
	if err != nil {
		return Digests{}, fmt.Errorf("digest spec: %w", err)
	}
	planJSON, err := json.Marshal(struct {
		Resources  []inventory.Resource `json:"resources"`
		Violations []Violation          `json:"violations"`
	}{in.Resources, in.Violations})
	if err != nil {
		return Digests{}, fmt.Errorf("digest plan: %w", err)
	}
	d := Digests{Spec: sum(specJSON), Plan: sum(planJSON)}
	all := d.Spec + "\n" + d.Plan + "\n"
	if in.Probes != nil {
		d.Probes = sum(in.ProbeData)
		all += d.Probes + "\n"
	}
	d.Inputs = sum([]byte(all))
	return d, nil
}

type joiner struct {
	in       Inputs
	settings map[string]Setting
	webApp   webAppInfo
}

// webAppInfo holds the app settings as the plan has them on the web app.
type webAppInfo struct {
	urn      string
	settings map[string]string
}

func webAppSettings(rs []inventory.Resource) webAppInfo {
	for _, r := range rs {
		if inventory.BaseType(r.Type) != "azure-native:web:WebApp" {
			continue
		}
		info := webAppInfo{urn: r.URN, settings: map[string]string{}}
		v, _ := r.Get("siteConfig.appSettings")
		list, _ := v.([]any)
		for _, el := range list {
			m, _ := el.(map[string]any)
			name, _ := m["name"].(string)
			if name == "" {
				continue
			}
			if val, ok := m["value"]; ok && !inventory.IsUnknown(val) {
				info.settings[name] = plain(val)
			}
		}
		return info
	}
	return webAppInfo{}
}

// holds reports whether an environment condition of the catalogue holds.
func holds(when string, s *spec.Spec) bool {
	switch when {
	case "":
		return true
	case "premium":
		return s.Premium()
	case "standard":
		return !s.Premium()
	case "multiInstance":
		return s.MultiInstance()
	case "domain":
		return s.Domain != ""
	case "noDomain":
		return s.Domain == ""
	case "authEntraId":
		return s.AuthMode == spec.AuthEntraID
	case "keyVaultCertificate":
		return s.Domain != "" && s.CertificateSource == spec.CertificateKeyVault
	case "managedCertificate":
		return s.Domain != "" && s.CertificateSource == spec.CertificateManaged
	}
	return false
}

var conditionText = map[string]string{
	"premium":             "only on Front Door Premium",
	"standard":            "only on Front Door Standard",
	"multiInstance":       "only with more than one instance",
	"domain":              "only with a custom domain",
	"noDomain":            "only without a custom domain",
	"authEntraId":         "only with authMode entraId",
	"keyVaultCertificate": "only with a Key Vault certificate on a custom domain",
	"managedCertificate":  "only with a managed certificate on a custom domain",
}

func (j *joiner) answer(ctl controls.Control) Answer {
	a := Answer{
		ID: ctl.ID, Title: ctl.Title, Layer: ctl.Layer, Recommendation: ctl.Recommendation,
		GuideSection: ctl.GuideSection, References: ctl.References, Residual: ctl.Residual,
		LogQueries: ctl.Logs,
	}
	items := []Item{}
	for _, ch := range ctl.Checks {
		items = append(items, j.planItems(ch)...)
	}
	for _, cc := range ctl.Config {
		items = append(items, j.configItem(cc))
	}
	items = append(items, j.ruleItems(ctl.ID, ctl.Rules)...)
	items = append(items, j.probeItems(ctl)...)
	items = append(items, j.offlineItems(ctl, items)...)
	for _, p := range ctl.Platform {
		items = append(items, Item{Source: SourcePlatform, Status: ItemInfo, Subject: "Azure platform", Message: p})
	}
	a.Evidence = items
	policies := map[string]bool{}
	for _, it := range items {
		for _, id := range it.AzurePolicyIDs {
			policies[id] = true
		}
	}
	a.AzurePolicyIDs = sortedKeys(policies)
	a.Status, a.Reason = decide(items, ctl.Residual != nil)
	if ctl.Residual != nil && a.Status != Residual {
		a.Reason += "; the rest is residual (" + ctl.Residual.Owner + ")"
	}
	for _, it := range items {
		if it.Status == ItemNotShown {
			a.NotYetShown = append(a.NotYetShown, it.Subject)
		}
	}
	if a.Status == NotMet {
		a.Action = ctl.Action
		if a.Action == "" && ctl.Residual != nil {
			a.Action = ctl.Residual.Text
		}
	}
	return a
}

// decide turns the items into the control's status and a one-line reason.
func decide(items []Item, residual bool) (string, string) {
	var pass, fail, unknown, notShown []Item
	for _, it := range items {
		if it.Status == ItemNotShown {
			notShown = append(notShown, it)
			continue
		}
		if !it.Required {
			continue
		}
		switch it.Status {
		case ItemPass:
			pass = append(pass, it)
		case ItemFail:
			fail = append(fail, it)
		case ItemUnknown:
			unknown = append(unknown, it)
		}
	}
	switch {
	case len(fail) > 0:
		return NotMet, fmt.Sprintf("%d required item(s) fail; first: %s", len(fail), describe(fail[0]))
	case len(unknown) > 0:
		return NotMet, fmt.Sprintf("%d required item(s) cannot be shown; first: %s", len(unknown), describe(unknown[0]))
	case len(pass) > 0:
		reason := fmt.Sprintf("all %d required item(s) hold", len(pass))
		if len(notShown) > 0 {
			reason += fmt.Sprintf("; %d live probe(s) not yet shown", len(notShown))
		}
		return Met, reason
	case len(notShown) > 0:
		return NotMet, "only live probes can show this and none were given: not yet shown (run streamsec verify)"
	case residual:
		return Residual, "no stack setting can enforce this; see whose job it is"
	}
	return NotApplicable, "nothing in this stack applies (every check is conditional and its condition does not hold)"
}

func describe(it Item) string {
	var b strings.Builder
	b.WriteString(it.Source + " " + it.Subject)
	if it.Property != "" {
		b.WriteString(" " + it.Property)
	}
	if it.Value != "" {
		b.WriteString(" = " + it.Value)
	}
	if it.Message != "" {
		b.WriteString(": " + it.Message)
	}
	return b.String()
}

func resourceName(r inventory.Resource) string {
	if r.Name != "" {
		return r.Name
	}
	return r.URN
}

func (j *joiner) planItems(ch controls.Check) []Item {
	base := Item{Source: SourcePlan, Type: ch.Type, Property: ch.Property, Expected: ch.Expect.String(),
		Required: !ch.Advisory && !ch.Expect.IsZero(), AzurePolicyIDs: ch.AzurePolicy, Subject: ch.Type}
	if !holds(ch.When, j.in.Spec) {
		base.Status, base.Required = ItemNA, false
		base.Message = conditionText[ch.When]
		return []Item{base}
	}
	steps, err := parsePath(ch.Property)
	if err != nil {
		base.Status, base.Message = ItemFail, err.Error()
		return []Item{base}
	}
	var matches []inventory.Resource
	for _, r := range j.in.Resources {
		if inventory.BaseType(r.Type) == ch.Type {
			matches = append(matches, r)
		}
	}
	if len(matches) == 0 {
		base.Status, base.Message = ItemFail, "no "+ch.Type+" in the plan"
		if !base.Required {
			base.Status = ItemInfo
		}
		return []Item{base}
	}
	alts, err := alternatives(ch)
	if err != nil {
		base.Status, base.Message = ItemFail, err.Error()
		return []Item{base}
	}
	var out []Item
	var firstFail *Item
	for _, r := range matches {
		v := judge(ch.Expect, values(r.Inputs, steps), j.in.Spec)
		it := base
		it.Subject, it.Resource, it.Type = resourceName(r), r.URN, r.Type
		it.Status, it.Value, it.Message = v.status, v.value, v.why
		if it.Status != ItemPass {
			// Another property may answer it, on what this resource extends.
			for _, alt := range alts {
				if !extends(r, alt.armType) {
					continue
				}
				if av := judge(ch.Expect, values(r.Inputs, alt.steps), j.in.Spec); av.status == ItemPass {
					it.Property, it.Status, it.Value, it.Message = alt.property, av.status, av.value, av.why
					break
				}
			}
		}
		if !it.Required && (it.Status == ItemFail || it.Status == ItemUnknown) {
			it.Message = "advisory: " + it.Message
		}
		if ch.Scope == "any" {
			if it.Status == ItemPass {
				return []Item{it}
			}
			if firstFail == nil {
				c := it
				firstFail = &c
			}
			continue
		}
		out = append(out, it)
	}
	if ch.Scope == "any" {
		it := *firstFail
		if len(matches) > 1 {
			it.Message = fmt.Sprintf("none of the %d %s resources: %s", len(matches), ch.Type, it.Message)
			it.Resource, it.Subject = "", ch.Type
		}
		return []Item{it}
	}
	return out
}

// values are what a path finds in a resource's inputs.
func values(inputs map[string]any, steps []step) []any {
	var out []any
	for _, f := range walk(inputs, steps, "") {
		out = append(out, f.value)
	}
	return out
}

// alternative is a Check's AnyOf entry, parsed.
type alternative struct {
	property, armType string
	steps             []step
}

func alternatives(ch controls.Check) ([]alternative, error) {
	var out []alternative
	for _, a := range ch.AnyOf {
		steps, err := parsePath(a.Property)
		if err != nil {
			return nil, err
		}
		arm := controls.TargetARMType(a.Target)
		if arm == "" {
			return nil, fmt.Errorf("anyOf target %s: not a type of the schema table", a.Target)
		}
		out = append(out, alternative{property: a.Property, armType: arm, steps: steps})
	}
	return out, nil
}

// extends reports whether r is an extension of a resource of armType: its
// resourceUri (a diagnostic setting's target) is a known id of that type.
// A computed or missing one extends nothing that can be shown.
func extends(r inventory.Resource, armType string) bool {
	uri, ok := r.Inputs["resourceUri"].(string)
	return ok && strings.EqualFold(azureid.ARMType(uri), armType)
}

func (j *joiner) configItem(cc controls.ConfigCheck) Item {
	names := cc.Names()
	it := Item{Source: SourceConfig, Subject: strings.Join(names, " or "), Expected: cc.Expect.String(), Required: !cc.Expect.IsZero()}
	for _, opt := range names {
		env := j.in.EnvName(opt)
		s, generated := j.settings[env]
		planned, inPlan := j.webApp.settings[env]
		if !generated && !inPlan {
			continue
		}
		it.Subject = opt
		it.Property = env
		value, secret := s.Value, s.Secret
		switch {
		case inPlan && planned != inventory.SecretMask:
			// The plan is what deploys; it also carries deploy-time values
			// (the Front Door endpoint origin) the generator is not given.
			value = planned
			it.Resource = j.webApp.urn
		case inPlan:
			it.Resource = j.webApp.urn
		}
		v := judge(cc.Expect, []any{value}, j.in.Spec)
		it.Status, it.Value, it.Message = v.status, shownSetting(v.value, secret), v.why
		return it
	}
	// Not set: Streamlit's default applies, or the version lacks the option.
	it.Property = j.in.EnvName(names[0])
	switch {
	case cc.Optional && !versionHas(j.in.Spec, names):
		it.Status, it.Required = ItemNA, false
		it.Message = "not available in Streamlit " + j.in.Spec.StreamlitVersion
	case cc.Optional:
		// The release has the option, so its absence is a gap, not N/A.
		it.Status, it.Message = ItemFail, "not set in the generated App Settings, though Streamlit "+j.in.Spec.StreamlitVersion+" has it"
	case cc.Default != "":
		v := judge(cc.Expect, []any{cc.Default}, j.in.Spec)
		it.Status, it.Value = v.status, cc.Default
		it.Message = "not set; Streamlit's default applies"
		if v.why != "" {
			it.Message += ": " + v.why
		}
	default:
		it.Status, it.Message = ItemFail, "not set in the generated App Settings"
	}
	return it
}

// versionHas reports whether the Spec's Streamlit release has any of the
// options (an unreadable version has none of them: the item then says so).
func versionHas(s *spec.Spec, options []string) bool {
	v, err := streamlitopts.Parse(s.StreamlitVersion)
	if err != nil {
		return false
	}
	for _, o := range options {
		if _, ok := streamlitopts.Lookup(o, v); ok {
			return true
		}
	}
	return false
}

func shownSetting(v string, secret bool) string {
	if secret {
		return spec.Mask
	}
	return v
}

func (j *joiner) ruleItems(id string, listed []string) []Item {
	var out []Item
	known := map[string]bool{}
	present := map[string]bool{}
	for _, r := range j.in.Resources {
		present[inventory.BaseType(r.Type)] = true
	}
	for _, rule := range j.in.Rules {
		known[rule.ID] = true
		if !slices.Contains(rule.Controls, id) && !slices.Contains(listed, rule.ID) {
			continue
		}
		base := Item{Source: SourceRule, Subject: rule.ID, Message: rule.Title, AzurePolicyIDs: rule.AzurePolicyIDs,
			Required: rule.Enforcement == "mandatory"}
		if rule.Enforcement == "disabled" {
			base.Status, base.Required = ItemNA, false
			base.Message = rule.Title + " (disabled for this stack)"
			out = append(out, base)
			continue
		}
		// A rule, stack rules included, judged something only if the plan
		// holds a resource of its Types; a rule that judged nothing is no
		// evidence of "met" (and a rule without Types judges nothing).
		applies := false
		for _, t := range rule.Types {
			applies = applies || present[t]
		}
		if !applies {
			base.Status, base.Required = ItemNA, false
			base.Message = rule.Title + " (no resource of its types in the plan)"
			out = append(out, base)
			continue
		}
		var hit bool
		for _, v := range j.in.Violations {
			if v.Policy != rule.ID {
				continue
			}
			hit = true
			it := base
			it.Status, it.Resource, it.Type, it.Property = ItemFail, v.URN, v.Type, v.Property
			it.Required = v.Severity == "mandatory"
			it.Message = v.Severity + ": " + v.Message
			out = append(out, it)
		}
		if !hit {
			base.Status = ItemPass
			base.Message = rule.Title + " (" + rule.Enforcement + "): no violation"
			out = append(out, base)
		}
	}
	// Violations of rules the report was not told about still count.
	for _, v := range j.in.Violations {
		if known[v.Policy] || !slices.Contains(v.Controls, id) {
			continue
		}
		out = append(out, Item{Source: SourceRule, Subject: v.Policy, Status: ItemFail, Required: v.Severity == "mandatory",
			Resource: v.URN, Type: v.Type, Property: v.Property, Message: v.Severity + ": " + v.Message})
	}
	return out
}

func (j *joiner) probeItems(ctl controls.Control) []Item {
	run := j.in.Probes
	if run == nil {
		var out []Item
		for _, id := range ctl.Probes {
			out = append(out, Item{Source: SourceProbe, Subject: id, Status: ItemNotShown, Required: true,
				Message: "live probe not yet shown: run streamsec verify and pass --verify FILE or --url URL"})
		}
		if ctl.ProbeRun {
			out = append(out, Item{Source: SourceProbe, Subject: "verify run", Status: ItemNotShown, Required: true,
				Message: "no verify run was given to this report"})
		}
		return out
	}
	when := run.FinishedAt.UTC().Format(time.RFC3339)
	var out []Item
	seen := map[string]bool{}
	for _, p := range run.Probes {
		hint := slices.Contains(ctl.ProbeHints, p.ID)
		if !slices.Contains(p.Controls, ctl.ID) && !slices.Contains(ctl.Probes, p.ID) && !hint {
			continue
		}
		seen[p.ID] = true
		st := ItemUnknown
		switch p.Status {
		case "pass":
			st = ItemPass
		case "fail":
			st = ItemFail
		}
		msg := p.Title
		if p.Detail != "" {
			msg += ": " + p.Detail
		}
		if hint {
			msg = "hint only, cannot show this control alone: " + msg
		} else if !p.Mandatory {
			msg = "advisory: " + msg
		}
		val := p.HTTP
		if p.Headers != "" {
			val = strings.TrimSpace(val + " " + strings.ReplaceAll(p.Headers, "\n", "; "))
		}
		out = append(out, Item{Source: SourceProbe, Subject: p.ID, Status: st, Required: p.Mandatory && !hint,
			Property: p.Request, Value: val, Message: msg, Time: when, Target: run.Target})
	}
	for _, id := range ctl.Probes {
		if !seen[id] {
			out = append(out, Item{Source: SourceProbe, Subject: id, Status: ItemNotShown, Required: true,
				Message: "this probe is not in the verify results given (not run, or --active not set)", Target: run.Target})
		}
	}
	if ctl.ProbeRun {
		out = append(out, Item{Source: SourceProbe, Subject: "verify run", Status: ItemPass, Required: true,
			Value:   fmt.Sprintf("%d probes", len(run.Probes)),
			Message: "streamsec verify ran against the deployment", Time: when, Target: run.Target})
	}
	return out
}

// offlineItems are the control's probes judged on the modelled edge of the
// plan, kept apart from the live ones: a failure counts (the plan would
// let the attack through), a pass does not stand in for the live probe,
// which stays required, and a probe only a live target can show is info.
func (j *joiner) offlineItems(ctl controls.Control, live []Item) []Item {
	run := j.in.Offline
	if run == nil {
		return nil
	}
	var out []Item
	for _, p := range run.Probes {
		if !slices.Contains(p.Controls, ctl.ID) && !slices.Contains(ctl.Probes, p.ID) {
			continue
		}
		st := ItemUnknown
		switch p.Status {
		case "pass":
			st = ItemPass
		case "fail":
			st = ItemFail
		}
		required := p.Mandatory && p.Status == "fail"
		if p.LiveOnly && p.Status == "unknown" {
			st = ItemInfo
		}
		val := p.HTTP
		if p.Headers != "" {
			val = strings.TrimSpace(val + " " + strings.ReplaceAll(p.Headers, "\n", "; "))
		}
		out = append(out, Item{Source: SourceModel, Subject: p.ID, Status: st, Required: required, Shown: ShownOnPlan,
			Property: p.Request, Value: val, Message: ShownOnPlan + ": " + p.Title + ": " + p.Detail, Target: run.Target})
	}
	if len(out) == 0 {
		return nil
	}
	// The control has both: say which live results are live.
	for i := range live {
		if live[i].Source == SourceProbe {
			live[i].Shown = ShownLive
			if live[i].Status != ItemNotShown {
				live[i].Message = ShownLive + ": " + live[i].Message
			}
		}
	}
	return out
}

func summarize(as []Answer, probes bool) Summary {
	s := Summary{Total: len(as), Counts: map[string]int{Met: 0, NotMet: 0, NotApplicable: 0, Residual: 0}, ProbesShown: probes,
		NotMet: []Todo{}, NotYetShown: []string{}, ResidualOwner: []Todo{}}
	for _, a := range as {
		s.Counts[a.Status]++
		switch a.Status {
		case NotMet:
			s.NotMet = append(s.NotMet, Todo{ID: a.ID, Title: a.Title, Reason: a.Reason, Action: a.Action})
		case Residual:
			s.ResidualOwner = append(s.ResidualOwner, Todo{ID: a.ID, Title: a.Title, Reason: a.Residual.Owner, Action: a.Residual.Text})
		}
		if len(a.NotYetShown) > 0 {
			s.NotYetShown = append(s.NotYetShown, a.ID)
		}
	}
	return s
}

// warnings are facts about the inputs a reader must know to trust the
// verdicts: probes run against another host than the stack's domain.
// unverified is the note for a Streamlit version newer than the newest
// release whose options were read; "" otherwise (or when unreadable: the
// Spec refuses such versions before a report is built).
func unverified(s *spec.Spec) string {
	v, err := streamlitopts.Parse(s.StreamlitVersion)
	if err != nil {
		return ""
	}
	return streamlitopts.UnverifiedNote(v)
}

func versionShown(s *spec.Spec) string {
	if unverified(s) != "" {
		return s.StreamlitVersion + " (unverified: newer than " + streamlitopts.Newest + ", the newest release whose options were read)"
	}
	return s.StreamlitVersion
}

func warnings(in Inputs) []string {
	out := []string{}
	if note := unverified(in.Spec); note != "" {
		out = append(out, note+": the Streamlit settings judged here may miss or misname what it really has")
	}
	if in.Probes == nil || in.Spec.Domain == "" {
		return out
	}
	u, err := url.Parse(in.Probes.Target)
	if err != nil || !strings.EqualFold(u.Hostname(), in.Spec.Domain) {
		out = append(out, fmt.Sprintf("the probes ran against %s, not the stack's domain %s: their results may describe another deployment", in.Probes.Target, in.Spec.Domain))
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// scrub replaces the cookie secret wherever it could have slipped in. The
// inputs are masked already (plan, settings); this is the last guard, so
// no renderer can print the secret whatever reached the report.
func scrub(r *Report, s *spec.Spec) {
	secret := s.CookieSecret.Value()
	if len(secret) < 4 { // a tiny value would mangle unrelated text; the Spec refuses those anyway
		return
	}
	fix := func(v *string) { *v = strings.ReplaceAll(*v, secret, spec.Mask) }
	for i := range r.Environment {
		fix(&r.Environment[i].Value)
	}
	for i := range r.Controls {
		a := &r.Controls[i]
		fix(&a.Reason)
		for k := range a.Evidence {
			it := &a.Evidence[k]
			for _, f := range []*string{&it.Subject, &it.Resource, &it.Property, &it.Value, &it.Expected, &it.Message, &it.Target} {
				fix(f)
			}
		}
	}
	for i := range r.Summary.NotMet {
		fix(&r.Summary.NotMet[i].Reason)
	}
}
