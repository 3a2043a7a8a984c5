package edge

import "fmt"

// Reading is one interpretation of what the documentation leaves open. The
// model evaluates a request under every reading; a probe passes only if it
// passes under all of them, and its evidence names the reading that failed.
type Reading struct {
	// Absent is how a match condition on a variable the request does not
	// have (a header that was not sent) evaluates. Not documented.
	Absent Absent
	// FullURI: RequestUri is the whole URL (scheme://host/path?query)
	// rather than the path and query. Not documented.
	FullURI bool
	// Era is the Streamlit server generation, when the version is unknown.
	Era Era
}

// Absent readings of a condition on a missing variable.
type Absent int

const (
	// AbsentNoMatch: the operator does not match (negation then makes the
	// condition true): the reading today's no-Origin rule relies on.
	AbsentNoMatch Absent = iota
	// AbsentEmpty: the value is taken as "" and the operator runs (Any
	// matches, so a negated Any never fires).
	AbsentEmpty
	// AbsentFalse: the condition is false whatever the negation.
	AbsentFalse
)

func (a Absent) String() string {
	switch a {
	case AbsentEmpty:
		return "a condition on an absent header sees an empty value"
	case AbsentFalse:
		return "a condition on an absent header is false even when negated"
	}
	return "a condition on an absent header does not match before negation"
}

func (r Reading) String() string {
	uri := "RequestUri is the path and query"
	if r.FullURI {
		uri = "RequestUri is the full URL"
	}
	s := fmt.Sprintf("%s; %s", r.Absent, uri)
	if r.Era != EraKnown {
		s += "; " + r.Era.String()
	}
	return s
}

// Era is the Streamlit server generation.
type Era int

const (
	EraKnown     Era = iota // the version is known: no reading needed
	EraTornado              // up to 1.56: Tornado
	EraStarlette            // 1.57 and newer: Starlette/uvicorn
)

func (e Era) String() string {
	switch e {
	case EraTornado:
		return "Streamlit version unknown, read as a Tornado-era release (<= 1.56)"
	case EraStarlette:
		return "Streamlit version unknown, read as a Starlette-era release (>= 1.57)"
	}
	return "Streamlit version known"
}

// readings lists every combination, the documented-safe one first.
func readings(eras []Era) []Reading {
	var out []Reading
	for _, e := range eras {
		for _, a := range []Absent{AbsentNoMatch, AbsentEmpty, AbsentFalse} {
			for _, full := range []bool{false, true} {
				out = append(out, Reading{Absent: a, FullURI: full, Era: e})
			}
		}
	}
	return out
}
