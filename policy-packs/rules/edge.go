package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/streamsec/streamsec/internal/edge"
	"github.com/streamsec/streamsec/internal/inventory"
	"github.com/streamsec/streamsec/internal/probe"
)

// Edge rules judge what the modelled edge (internal/edge: WAF, security
// policy, routes, rule sets, the app's access restrictions and Streamlit)
// would do to the requests `streamsec verify` sends, so a stack is blocked by
// what reaches the app, not only by property shapes. One rule per probe
// family; each fails when one of its probes fails or cannot be judged.
func edgeRules() []Rule {
	family := func(id, title, desc string, controls []string, match func(probeID string) bool) Rule {
		return Rule{
			ID: id, Title: title, Description: desc, Controls: controls,
			Enforcement: Mandatory, Pack: PackWebSocket, Types: edge.Types(),
			CheckStack: func(rs []inventory.Resource, cfg Config) []Finding { return checkEdge(rs, cfg, match) },
		}
	}
	return []Rule{
		family("edge-cswsh-refused", "The modelled edge refuses cross-site WebSocket handshakes",
			"Foreign, null, file://, other-scheme, other-port, suffixed and prefixed Origins must not get 101 at /_stcore/stream, under every reading of what the Front Door documentation leaves open (an Allow rule before the blocks, a typo in the stream path or a disabled rule let them through; Streamlit itself admits the allowed host over another scheme or port).",
			[]string{"WS-ORG-01"}, func(id string) bool {
				return strings.HasPrefix(id, "origin-") && strings.HasSuffix(id, "-refused") && id != "origin-missing-refused"
			}),
		family("edge-origin-required", "The modelled edge refuses WebSocket handshakes without Origin",
			"Streamlit accepts a handshake with no Origin; the edge must refuse it whatever a condition on an absent header evaluates to.",
			[]string{"WS-ORG-01", "WS-AUTH-01"}, func(id string) bool { return id == "origin-missing-refused" }),
		family("edge-allowed-origin-accepted", "The modelled edge upgrades the allowed origins",
			"The stack's own origins must get 101 end to end (WAF Allow, route, access restrictions, Streamlit's Origin and Host checks): an allowlist compared case-sensitively with upper-case values refuses every real user, which pushes operators to switch the rule off.",
			[]string{"WS-ORG-01"}, func(id string) bool { return id == "origin-allowed-accepted" }),
		family("edge-legacy-version-refused", "The modelled edge refuses legacy WebSocket versions",
			"Sec-WebSocket-Version 8 (or none) must not be upgraded: Tornado-era Streamlit accepts 7, 8 and 13.",
			[]string{"WS-PROTO-01"}, func(id string) bool { return id == "legacy-version-refused" }),
		family("edge-internal-paths-refused", "The modelled edge does not serve Streamlit's internal endpoints",
			"/_stcore/metrics, /st-metrics and the stack's blocked paths must be refused (or answered with the index page) before any Allow rule can skip the block.",
			[]string{"WS-EXP-01"}, func(id string) bool { return strings.HasPrefix(id, "path-refused:") }),
	}
}

// checkEdge models the stack and runs the offline suite's probes that
// match; each failed or unknown one is a finding naming its evidence.
func checkEdge(rs []inventory.Resource, cfg Config, match func(string) bool) []Finding {
	var waf *inventory.Resource
	for i := range rs {
		if baseType(rs[i].Type) == typeWAF {
			waf = &rs[i]
			break
		}
	}
	at := func(f Finding) Finding {
		if waf != nil {
			f.URN, f.Type = waf.URN, waf.Type
		}
		return f
	}
	run, fail := cfg.modelEdge(rs)
	if fail != nil {
		if fail.Property == "" {
			return nil // no Front Door: nothing to model (not applicable by Types)
		}
		return []Finding{at(*fail)}
	}
	var out []Finding
	for _, p := range run.Probes {
		if !match(p.ID) || p.Status == probe.Pass {
			continue
		}
		msg := fmt.Sprintf("probe %s fails on the modelled edge: %s", p.ID, p.Evidence.Detail)
		if p.Status == probe.Unknown {
			msg = fmt.Sprintf("probe %s cannot be judged on the modelled edge: a value it needs %s (%s)", p.ID, strings.TrimPrefix(unknownMsg(""), " "), p.Evidence.Detail)
		}
		out = append(out, at(Finding{Property: "edge:" + p.ID, Message: msg}))
	}
	return out
}

// edgeMemo keeps the offline suite's run on one evaluation's resources, so
// the five edge rules model the edge once, not five times.
type edgeMemo struct {
	done bool
	run  *probe.Run
	fail *Finding
}

// modelEdge models the stack and runs the offline suite; fail is a finding
// when the edge cannot be modelled, or an empty one when there is no Front
// Door to model.
func (c Config) modelEdge(rs []inventory.Resource) (*probe.Run, *Finding) {
	if c.edge != nil && c.edge.done {
		return c.edge.run, c.edge.fail
	}
	run, fail := runEdge(rs, c)
	if c.edge != nil {
		*c.edge = edgeMemo{done: true, run: run, fail: fail}
	}
	return run, fail
}

func runEdge(rs []inventory.Resource, cfg Config) (*probe.Run, *Finding) {
	model, err := edge.Load(rs, edge.LoadOptions{StreamlitVersion: cfg.StreamlitVersion})
	if errors.Is(err, edge.ErrNoEdge) {
		return nil, &Finding{}
	}
	if err != nil {
		return nil, &Finding{Property: "edge", Message: "the edge cannot be modelled: " + err.Error()}
	}
	run, err := edge.Verify(model, edge.SuiteOptions{Origins: cfg.AllowedOrigins, BlockedPaths: cfg.BlockedPaths})
	if err != nil {
		return nil, &Finding{Property: "edge", Message: unknownMsg("the public host name") + ": " + err.Error()}
	}
	return run, nil
}
