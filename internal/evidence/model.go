// Package evidence joins the control catalogue with what a stack shows (the
// planned resources, the policy rule verdicts, the Streamlit settings and
// the live probe results) into the evidence report, and renders it as
// markdown, HTML, JSON or SARIF. It takes plain inputs, not the packages
// that produce them, so it builds and tests without the Pulumi program.
package evidence

import (
	"time"

	"github.com/streamsec/streamsec/internal/controls"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/probe"
	"github.com/streamsec/streamsec/internal/spec"
)

// Control statuses, the report's contract.
const (
	Met           = "met"
	NotMet        = "not-met"
	NotApplicable = "not-applicable"
	Residual      = "residual"
)

// Item statuses: how one piece of evidence came out.
const (
	ItemPass     = "pass"
	ItemFail     = "fail"
	ItemUnknown  = "unknown"        // computed value or probe could not tell
	ItemNotShown = "not-shown"      // a live probe not run (yet)
	ItemNA       = "not-applicable" // the condition does not hold for this stack
	ItemInfo     = "info"           // shown for the reader, decides nothing
)

// Item sources.
const (
	SourcePlan     = "plan"
	SourceConfig   = "config"
	SourceRule     = "rule"
	SourceProbe    = "probe"
	SourcePlatform = "platform"
	// SourceModel is a probe judged on the modelled edge of the plan
	// (`streamsec verify --offline`), shown apart from the live probes.
	SourceModel = "plan-model"
)

// Where a probe result was shown, for controls that have both.
const (
	ShownLive   = "shown live"
	ShownOnPlan = "shown on the plan"
)

// RuleInfo is what the report needs of a policy rule.
type RuleInfo struct {
	ID             string
	Title          string
	Controls       []string
	AzurePolicyIDs []string
	Enforcement    string   // mandatory, advisory, disabled
	Types          []string // the types it judges: none present makes it not applicable
	Stack          bool     // judges the whole stack (still only when one of Types is present)
}

// Violation is one broken rule (the plan's violations).
type Violation struct {
	Policy   string
	Severity string
	URN      string
	Type     string
	Message  string
	Controls []string
	Property string
}

// Setting is one generated App Setting (STREAMLIT_* environment variable).
type Setting struct {
	Name   string
	Value  string
	Secret bool
}

// ProbeResult is one live probe outcome (streamsec verify --save).
type ProbeResult struct {
	ID        string
	Title     string
	Controls  []string
	Status    string // pass, fail, unknown
	Mandatory bool
	Request   string
	HTTP      string // status seen
	Headers   string
	Detail    string
	// LiveOnly: only a live target can show it (offline it is unknown).
	LiveOnly bool
}

// ProbeRun is one verify run.
type ProbeRun struct {
	// Offline: judged on the modelled edge of the plan, not a live target.
	Offline    bool
	Target     string
	StartedAt  time.Time
	FinishedAt time.Time
	Probes     []ProbeResult
}

// Inputs is everything a report is built from.
type Inputs struct {
	Tool    string
	Version string
	Now     time.Time

	Spec *spec.Spec
	// SpecSource is where the Spec was read (stack file path).
	SpecSource string
	Resources  []inventory.Resource
	Rules      []RuleInfo
	Violations []Violation
	Settings   []Setting
	// EnvName maps a Streamlit option to its environment variable name.
	EnvName func(option string) string

	// Probes is nil when no verify results were given.
	Probes *ProbeRun
	// ProbeSource is the file or URL the probes came from; ProbeData the
	// bytes digested (the saved file, or the run's JSON).
	ProbeSource string
	ProbeData   []byte
	// Offline is the suite judged on the modelled edge of the plan (nil
	// when not given); OfflineSource says where it came from.
	Offline       *ProbeRun
	OfflineSource string
}

// Report is the evidence report; its JSON form is the command's contract.
type Report struct {
	Tool             string    `json:"tool"`
	Version          string    `json:"version"`
	Command          string    `json:"command"`
	Stack            string    `json:"stack"`
	GeneratedAt      time.Time `json:"generatedAt"`
	StreamlitVersion string    `json:"streamlitVersion"`
	// AppPackage is the digest of the app package the input's stack
	// deployed (streamsec deploy), when the input shows one.
	AppPackage string `json:"appPackage,omitempty"`
	// StreamlitUnverified is set when StreamlitVersion is newer than the
	// newest release whose options streamsec read.
	StreamlitUnverified string     `json:"streamlitUnverified,omitempty"`
	Environment         []KV       `json:"environment"`
	Digests             Digests    `json:"digests"`
	Probes              *ProbeInfo `json:"probes"`
	Summary             Summary    `json:"summary"`
	Controls            []Answer   `json:"controls"`
}

// KV is one labelled value, kept in order.
type KV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Digests are SHA-256 digests of the inputs, so a reader can tell which
// spec, plan and probe results a report was made from.
type Digests struct {
	Inputs string `json:"inputs"`
	Spec   string `json:"spec"`
	Plan   string `json:"plan"`
	Probes string `json:"probes,omitempty"`
}

// ProbeInfo says where the live results came from.
type ProbeInfo struct {
	Source     string    `json:"source"`
	Target     string    `json:"target"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	Count      int       `json:"count"`
}

// Summary is what a reader needs first.
type Summary struct {
	Total         int            `json:"total"`
	Counts        map[string]int `json:"counts"`
	ProbesShown   bool           `json:"probesShown"`
	NotMet        []Todo         `json:"notMet"`
	NotYetShown   []string       `json:"notYetShown"`
	ResidualOwner []Todo         `json:"residual"`
	// Warnings are facts about the inputs that limit what the verdicts say.
	Warnings []string `json:"warnings"`
}

// Todo is one line of the summary: a control and what to do.
type Todo struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
	Action string `json:"action"`
}

// Answer is one control answered.
type Answer struct {
	ID             string              `json:"id"`
	Title          string              `json:"title"`
	Status         string              `json:"status"`
	Reason         string              `json:"reason"`
	Layer          string              `json:"layer"`
	Recommendation string              `json:"recommendation"`
	GuideSection   string              `json:"guideSection"`
	References     []string            `json:"references"`
	Evidence       []Item              `json:"evidence"`
	AzurePolicyIDs []string            `json:"azurePolicyIds"`
	NotYetShown    []string            `json:"notYetShown,omitempty"`
	Residual       *controls.Residual  `json:"residual,omitempty"`
	Action         string              `json:"action,omitempty"`
	LogQueries     []controls.LogQuery `json:"logQueries,omitempty"`
}

// Item is one piece of evidence.
type Item struct {
	Source   string `json:"source"`
	Status   string `json:"status"`
	Required bool   `json:"required"`
	// Subject is the rule id, probe id, Streamlit option or resource name.
	Subject  string `json:"subject"`
	Resource string `json:"resource,omitempty"` // URN
	Type     string `json:"type,omitempty"`
	Property string `json:"property,omitempty"`
	Value    string `json:"value,omitempty"`
	Expected string `json:"expected,omitempty"`
	Message  string `json:"message,omitempty"`
	// Shown says, for probe results of a control that has both, whether
	// it was shown live or on the plan.
	Shown string `json:"shown,omitempty"`
	// Probe results carry when and against what they were shown.
	Time   string `json:"time,omitempty"`
	Target string `json:"target,omitempty"`
	// AzurePolicyIDs are built-in Azure Policy definitions judging the same
	// property.
	AzurePolicyIDs []string `json:"azurePolicyIds,omitempty"`
}

// FromProbeRun turns a verify run (saved by `streamsec verify --save`, or run
// in process) into the probe results the report joins.
func FromProbeRun(run *probe.Run) *ProbeRun {
	out := &ProbeRun{Offline: run.Mode == probe.ModeOffline, Target: run.Target, StartedAt: run.StartedAt, FinishedAt: run.FinishedAt}
	for _, p := range run.Probes {
		out.Probes = append(out.Probes, ProbeResult{
			ID: p.ID, Title: p.Title, Controls: p.Controls, Status: string(p.Status), Mandatory: p.Mandatory,
			Request: p.Evidence.Request, HTTP: p.Evidence.Status, Headers: p.Evidence.Headers, Detail: p.Evidence.Detail,
			LiveOnly: p.LiveOnly,
		})
	}
	return out
}
