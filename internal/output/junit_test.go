package output

import (
	"encoding/xml"
	"strings"
	"testing"
)

type junitParsed struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func checkJUnit(t *testing.T, b []byte) junitParsed {
	t.Helper()
	var p junitParsed
	if err := xml.Unmarshal(b, &p); err != nil {
		t.Fatalf("invalid JUnit XML: %v\n%s", err, b)
	}
	// xml.Unmarshal is lenient about some characters; a strict token pass
	// catches anything a CI parser would reject.
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("XML token error: %v", err)
			}
			break
		}
	}
	return p
}

func TestJUnitStructure(t *testing.T) {
	out := render(t, "junit", sampleDoc())
	if !strings.HasPrefix(out, "<?xml") {
		t.Error("no XML header")
	}
	p := checkJUnit(t, []byte(out))
	if p.Tests != 8 || p.Failures != 3 || len(p.Suites) != 1 {
		t.Fatalf("counts: tests %d failures %d suites %d", p.Tests, p.Failures, len(p.Suites))
	}
	s := p.Suites[0]
	if s.Tests != 8 || s.Failures != 3 || s.Skipped != 3 || s.Name != "check in<put>.json" {
		t.Errorf("suite: %+v", s)
	}
	c := s.Cases[0]
	if c.Classname != "appservice-https-only" || c.Failure == nil || c.Failure.Type != "error" ||
		!strings.Contains(c.Failure.Message, "<script>alert(1)</script>") || !strings.Contains(c.Failure.Text, "controls: WS-TLS-01") {
		t.Errorf("first case: %+v", c)
	}
	if strings.Contains(out, "<script>") {
		t.Error("markup not escaped in XML")
	}
}
