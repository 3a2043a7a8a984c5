package streamlitopts

import (
	"strings"
	"sync"
)

// Presence says whether a release has an option.
type Presence int

const (
	// Unknown: no wheel read tells (a release between two sampled ones that
	// disagree, or a section the sampled sets do not cover).
	Unknown Presence = iota
	Present
	Absent
)

func (p Presence) String() string {
	switch p {
	case Present:
		return "present"
	case Absent:
		return "absent"
	}
	return "unknown"
}

// sampled is releases_gen.go parsed once.
type sampled struct {
	versions []Version
	options  map[string]uint64
}

var samples = sync.OnceValue(func() sampled {
	var s sampled
	for _, v := range sampledReleases() {
		s.versions = append(s.versions, MustParse(v))
	}
	s.options = releaseOptions()
	return s
})

// sampledSections are the sections whose every option releases_gen.go lists.
var sampledSections = []string{"global", "server", "browser", "client"}

// InRelease reports whether release v has option name, from every option
// read in the sampled wheels (releases_gen.go): Present or Absent when the
// sampled releases around v agree (a release newer than the newest sample
// takes the newest's answer, as the renderer does), Unknown otherwise.
func InRelease(name string, v Version) Presence {
	section, _, _ := strings.Cut(name, ".")
	s := samples()
	covered := false
	for _, sec := range sampledSections {
		covered = covered || sec == section
	}
	if !covered || len(s.versions) == 0 || v.Less(s.versions[0]) {
		return Unknown
	}
	mask := s.options[name]
	at := func(i int) bool { return mask&(1<<i) != 0 }
	// lo: the newest sample at or before v; hi: the oldest at or after v.
	lo := len(s.versions) - 1
	for lo > 0 && v.Less(s.versions[lo]) {
		lo--
	}
	hi := lo
	if s.versions[lo] != v && lo+1 < len(s.versions) {
		hi = lo + 1
	}
	switch {
	case at(lo) != at(hi):
		return Unknown
	case at(lo):
		return Present
	}
	return Absent
}
