package rules

import (
	"reflect"

	"github.com/streamsec/streamsec/internal/inventory"
)

// Evaluator judges one input. Resource rules can run on each resource as
// it comes (Add: `streamsec plan` feeds it the resources while the program
// still registers the rest, alongside the program instead of after it), and
// Finish judges the whole: it takes what Add judged, runs the resource
// rules on what Add did not see, then the stack rules, and gives the
// verdicts. The result is the same, violation for violation and in the
// same order, as judging the finished list at once (Run): Add only moves
// the work earlier (TestEvaluatorAddIsRun).
type Evaluator struct {
	rules []Rule
	// cfg has its defaults and this input's own edge memo; given is the
	// configuration as the caller passed it (Evaluation.Config).
	cfg, given Config
	judged     map[string]judged
}

// judged is what Add found for one resource, and the resource itself, so
// that Finish uses it only for that very resource.
type judged struct {
	res inventory.Resource
	vs  []Violation
}

// NewEvaluator starts judging one input with a rule set.
func NewEvaluator(ruleSet []Rule, cfg Config) *Evaluator {
	e := &Evaluator{rules: ruleSet, given: cfg, cfg: cfg.withDefaults()}
	e.cfg.edge = &edgeMemo{}
	return e
}

// Add runs the resource rules on one resource. It is not safe for
// concurrent use: one goroutine adds, then calls Finish.
func (e *Evaluator) Add(res inventory.Resource) {
	if e.judged == nil {
		e.judged = map[string]judged{}
	}
	e.judged[res.URN] = judged{res: res, vs: e.resourceViolations(res)}
}

// resourceViolations is every resource rule on one resource, in rule order.
func (e *Evaluator) resourceViolations(res inventory.Resource) []Violation {
	base := baseType(res.Type)
	var out []Violation
	for _, r := range e.rules {
		if r.Check == nil || !r.appliesBase(base) {
			continue
		}
		out = append(out, r.evalResource(res, e.cfg)...)
	}
	return out
}

// violations is the resource rules in resource order, then the stack rules.
func (e *Evaluator) violations(resources []inventory.Resource) []Violation {
	var out []Violation
	present := map[string]bool{}
	for _, res := range resources {
		present[baseType(res.Type)] = true
		if j, ok := e.judged[res.URN]; ok && sameResource(j.res, res) {
			out = append(out, j.vs...)
			continue
		}
		out = append(out, e.resourceViolations(res)...)
	}
	for _, r := range e.rules {
		if r.CheckStack == nil || !r.presentIn(present) {
			continue
		}
		if level := e.cfg.Level(r); level != Disabled {
			out = append(out, r.violations(r.CheckStack(resources, e.cfg), level, "", "")...)
		}
	}
	return out
}

// sameResource: b is the resource a was, not another of the same URN.
// The inputs are compared by identity: a plan hands Finish the very
// records it handed Add, and comparing them deeply would cost what Add
// saved.
func sameResource(a, b inventory.Resource) bool {
	return a.URN == b.URN && a.Type == b.Type && a.Name == b.Name && a.Parent == b.Parent &&
		len(a.Inputs) == len(b.Inputs) &&
		reflect.ValueOf(a.Inputs).UnsafePointer() == reflect.ValueOf(b.Inputs).UnsafePointer()
}

// Finish judges the finished input, resources in their final order, and
// gives every rule its status: fail with a violation, not-applicable when
// the input holds none of its Types (or the configuration disabled it),
// else pass.
func (e *Evaluator) Finish(resources []inventory.Resource) Evaluation {
	cfg := e.given
	ev := Evaluation{Rules: e.rules, Config: cfg, Violations: e.violations(resources)}
	if ev.Violations == nil {
		ev.Violations = []Violation{}
	}
	failed := map[string]bool{}
	for _, v := range ev.Violations {
		failed[v.Policy] = true
	}
	byType := map[string][]string{}
	for _, res := range resources {
		base := baseType(res.Type)
		byType[base] = append(byType[base], res.URN)
	}
	for _, r := range e.rules {
		v := Verdict{ID: r.ID, Resources: []string{}}
		for _, t := range r.Types {
			v.Resources = append(v.Resources, byType[t]...)
		}
		ev.judgeable = ev.judgeable || len(v.Resources) > 0
		switch {
		case failed[r.ID]:
			v.Status = StatusFail
		case cfg.Level(r) == Disabled:
			v.Status, v.Reason, v.Resources = StatusNotApplicable, "disabled by configuration", []string{}
		case len(v.Resources) == 0:
			v.Status, v.Reason = StatusNotApplicable, "no resource of its types ("+shortTypes(r.Types)+") in the input"
		default:
			v.Status = StatusPass
		}
		ev.Verdicts = append(ev.Verdicts, v)
	}
	return ev
}
