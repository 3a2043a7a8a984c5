package output

import (
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	out := render(t, "markdown", sampleDoc())
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// heading, blank, summary, blank, header, separator, one row per result
	rows := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "| ") && !strings.HasPrefix(l, "| Status") {
			rows++
			// every row keeps exactly 7 unescaped pipes (6 cells)
			if n := strings.Count(l, "|") - strings.Count(l, `\|`); n != 7 {
				t.Errorf("row broken by content (%d pipes): %s", n, l)
			}
		}
	}
	if rows != len(sampleDoc().Results) {
		t.Errorf("%d rows, want %d:\n%s", rows, len(sampleDoc().Results), out)
	}
	if strings.Contains(out, "<script>") || strings.Contains(out, "\x1b") || strings.Contains(out, "\x00") {
		t.Error("raw HTML or control characters in Markdown")
	}
	if !strings.Contains(lines[len(lines)-len(sampleDoc().Results)], "FAIL") {
		t.Error("failures do not come first")
	}
	if !strings.Contains(out, "3 fail") && !strings.Contains(out, "2 fail") {
		t.Errorf("no summary: %s", lines[2])
	}
}
