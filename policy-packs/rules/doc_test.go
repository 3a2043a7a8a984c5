package rules

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md")

const docPath = "../../docs/rules.md"

func TestRulesDoc(t *testing.T) {
	want := MarkdownDoc()
	if *update {
		if err := os.MkdirAll("../../docs", 0o755); err != nil {
			t.Fatal(err)
		}
		tmp := docPath + ".tmp"
		if err := os.WriteFile(tmp, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, docPath); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v: run go test ./policy-packs/rules -run TestRulesDoc -update", err)
	}
	if string(got) != want {
		t.Fatal("docs/rules.md is stale: run go test ./policy-packs/rules -run TestRulesDoc -update")
	}
}
