package output

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	out := render(t, "html", sampleDoc())
	if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "</html>") {
		t.Fatal("not a whole page")
	}
	if strings.Contains(out, "<script>") || strings.Contains(out, "</td><script>") {
		t.Error("hostile markup not escaped")
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("escaped message missing")
	}
	for _, external := range []string{"<link", "src=", "@import", "http://x\""} {
		if strings.Contains(out, external) {
			t.Errorf("page is not self-contained: has %s", external)
		}
	}
	if strings.Count(out, "<tr class=") != len(sampleDoc().Results) {
		t.Error("one row per result expected")
	}
	if !strings.Contains(out, `class="fail"`) || !strings.Contains(out, "property: httpsOnly") {
		t.Error("status class or evidence missing")
	}
}
