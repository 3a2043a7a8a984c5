// Package streamlitopts knows which Streamlit versions streamsec supports and
// which configuration options each version has. Both the Spec validation and
// the config renderer read it, so the supported range is stated once.
package streamlitopts

import (
	"fmt"
	"strconv"
	"strings"
)

// Minimum is the oldest Streamlit release whose sources were read for this
// project (FACTS.md: lib/streamlit 1.39 and newer).
const Minimum = "1.39.0"

// Newest is the newest release whose wheel was read for the option table
// (PyPI, 2026-12). A newer release is accepted with the newest known option
// set; Verified reports false for it, and render and the report say so.
const Newest = "1.67.0"

// Version is a parsed major.minor.patch Streamlit release.
type Version struct{ Major, Minor, Patch int }

// String prints the version as major.minor.patch.
func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// Less orders versions.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Patch < o.Patch
}

// AtLeast reports whether v is o or newer.
func (v Version) AtLeast(o Version) bool { return !v.Less(o) }

// Parse reads "1.50", "1.50.0" (a missing patch is 0). Pre-release and
// local suffixes are refused: the option table is kept per release.
func Parse(s string) (Version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("%q is not a release number such as 1.50.0", s)
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 4 || strings.TrimLeft(p, "0123456789") != "" {
			return Version{}, fmt.Errorf("%q is not a release number such as 1.50.0", s)
		}
		v, err := strconv.Atoi(p)
		if err != nil {
			return Version{}, fmt.Errorf("%q is not a release number such as 1.50.0", s)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// MustParse parses a version literal from this package's own tables.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Verified reports whether the option table was read in a release at
// least as new as v. A newer v gets the newest known options, which may
// miss or misname what v really has.
func Verified(v Version) bool { return !MustParse(Newest).Less(v) }

// UnverifiedNote says, for a version newer than Newest, that its options
// were not read; "" for a verified version.
func UnverifiedNote(v Version) string {
	if Verified(v) {
		return ""
	}
	return fmt.Sprintf("Streamlit %s is newer than %s, the newest release whose options streamsec read; its settings are %s's and are unverified for %s", v, Newest, Newest, v)
}

// Supported reports whether streamsec can render configuration for s.
func Supported(s string) error {
	v, err := Parse(s)
	if err != nil {
		return err
	}
	if v.Less(MustParse(Minimum)) {
		return fmt.Errorf("Streamlit %s is older than %s, the oldest release streamsec knows the options of; upgrade the app (older releases also miss security fixes)", v, Minimum)
	}
	if v.Major != 1 {
		return fmt.Errorf("Streamlit %s: only 1.x releases are known", v)
	}
	return nil
}
