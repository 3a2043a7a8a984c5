// Package pipelines holds the example CI pipelines (GitHub Actions, Azure
// DevOps). The test keeps them honest: every `streamsec ...` command they
// run must exist in the real command tree with the flags it uses, so
// renaming a command or a flag breaks the build, not a user's pipeline.
package pipelines

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/streamsec/streamsec/internal/cli"
	"github.com/streamsec/streamsec/internal/cmd/root"
)

// scriptKeys hold shell in the two pipeline formats.
func scriptKeys() []string { return []string{"run", "script", "inlineScript", "bash"} }

func TestPipelineCommandsExist(t *testing.T) {
	files := []struct {
		name string
		// must are the subcommands a file has to run (PR and main paths).
		must []string
	}{
		{"github-actions.yml", []string{"plan", "preview", "init", "up", "deploy", "outputs", "verify", "destroy", "report"}},
		{"azure-devops.yml", []string{"plan", "preview", "init", "up", "deploy", "outputs", "verify", "destroy", "report"}},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			data, err := os.ReadFile(f.name)
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(data, &doc); err != nil {
				t.Fatalf("%s: not valid YAML: %v", f.name, err)
			}
			var scripts []string
			collectScripts(&doc, &scripts)
			var lines [][]string
			for _, s := range scripts {
				cmds, err := streamsecCommands(s)
				if err != nil {
					t.Fatalf("%s: %v in script:\n%s", f.name, err, s)
				}
				lines = append(lines, cmds...)
			}
			if len(lines) == 0 {
				t.Fatalf("%s: no streamsec commands found", f.name)
			}
			seen := map[string]bool{}
			var order []string
			for _, args := range lines {
				name, err := checkCommand(args)
				if err != nil {
					t.Errorf("%s: `streamsec %s`: %v", f.name, strings.Join(args, " "), err)
					continue
				}
				seen[name] = true
				order = append(order, name)
			}
			// Every environment brought up gets the app before it is
			// verified: verify against an App Service with no Streamlit
			// proves nothing.
			upSeen, deployed := false, false
			for _, name := range order {
				switch name {
				case "up":
					upSeen, deployed = true, false
				case "deploy":
					if !upSeen {
						t.Errorf("%s: deploy runs before any up", f.name)
					}
					deployed = true
				case "verify":
					if upSeen && !deployed {
						t.Errorf("%s: verify runs after up without a deploy in between", f.name)
					}
				}
			}
			for _, m := range f.must {
				if !seen[m] {
					t.Errorf("%s: never runs `streamsec %s`", f.name, m)
				}
			}
		})
	}
}

// collectScripts gathers the string values of script keys, at any depth.
func collectScripts(n *yaml.Node, out *[]string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			collectScripts(c, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind == yaml.ScalarNode && slices.Contains(scriptKeys(), k.Value) {
				*out = append(*out, v.Value)
				continue
			}
			collectScripts(v, out)
		}
	}
}

// checkCommand resolves args in a fresh command tree and parses its flags
// with the command's own FlagSet; it returns the subcommand's path.
func checkCommand(args []string) (string, error) {
	f := &cli.Factory{
		IO:         &cli.IOStreams{In: &bytes.Buffer{}, Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		ProjectDir: ".",
		Getenv:     func(string) string { return "" },
		Environ:    func() []string { return nil },
	}
	rootCmd := root.NewCmdRoot(f)
	cmd, rest, err := rootCmd.Find(args)
	if err != nil {
		return "", err
	}
	if cmd == rootCmd {
		return "", fmt.Errorf("no such command")
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return "", err
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return "", err
	}
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return "", err
	}
	return strings.TrimPrefix(cmd.CommandPath(), "streamsec "), nil
}

// streamsecCommands finds every `streamsec ...` invocation in a shell
// script and returns its arguments (redirections dropped).
func streamsecCommands(script string) ([][]string, error) {
	script = strings.ReplaceAll(script, "\\\n", " ")
	var out [][]string
	for _, line := range strings.Split(script, "\n") {
		words, err := shellWords(line)
		if err != nil {
			return nil, err
		}
		for _, seg := range splitOps(words) {
			// Skip VAR=value prefixes.
			for len(seg) > 0 && isAssignment(seg[0]) {
				seg = seg[1:]
			}
			if len(seg) == 0 || seg[0] != "streamsec" {
				continue
			}
			out = append(out, dropRedirections(seg[1:]))
		}
	}
	return out, nil
}

func isAssignment(w string) bool {
	k, _, ok := strings.Cut(w, "=")
	return ok && k != "" && !strings.HasPrefix(k, "-") && strings.IndexFunc(k, func(r rune) bool {
		return !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) < 0
}

// splitOps cuts a word list at |, ||, &&, ;.
func splitOps(words []string) [][]string {
	var segs [][]string
	var cur []string
	for _, w := range words {
		switch w {
		case "|", "||", "&&", ";":
			segs = append(segs, cur)
			cur = nil
		default:
			cur = append(cur, w)
		}
	}
	return append(segs, cur)
}

func dropRedirections(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch w {
		case ">", ">>", "<", "2>", "2>>":
			i++ // its target
			continue
		}
		if strings.HasPrefix(w, ">") || strings.HasPrefix(w, "2>") || strings.HasPrefix(w, "<") {
			continue
		}
		out = append(out, w)
	}
	return out
}

// shellWords splits one line into words the way a POSIX shell would for
// the simple scripts pipelines hold: quotes, $(...), ${{ ... }} and $(Var)
// stay inside their word (their value is unknown here and stands as one
// argument), operators are words of their own, # starts a comment.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	r := []rune(line)
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
		case c == '#' && !inWord:
			return words, nil
		case c == '\'':
			j := i + 1
			for j < len(r) && r[j] != '\'' {
				j++
			}
			if j >= len(r) {
				return nil, fmt.Errorf("unterminated ' in %q", line)
			}
			cur.WriteString(string(r[i+1 : j]))
			inWord = true
			i = j
		case c == '"':
			j := i + 1
			depth := 0
			for j < len(r) && (r[j] != '"' || depth > 0) {
				if r[j] == '\\' {
					j++
				} else if r[j] == '$' && j+1 < len(r) && r[j+1] == '(' {
					depth++
					j++
				} else if r[j] == ')' && depth > 0 {
					depth--
				}
				j++
			}
			if j >= len(r) {
				return nil, fmt.Errorf("unterminated \" in %q", line)
			}
			cur.WriteString(string(r[i+1 : j]))
			inWord = true
			i = j
		case c == '$' && i+1 < len(r) && (r[i+1] == '(' || r[i+1] == '{'):
			open, close := r[i+1], map[rune]rune{'(': ')', '{': '}'}[r[i+1]]
			depth := 0
			j := i + 1
			for ; j < len(r); j++ {
				if r[j] == open {
					depth++
				} else if r[j] == close {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j >= len(r) {
				return nil, fmt.Errorf("unterminated $%c in %q", open, line)
			}
			cur.WriteString(string(r[i : j+1]))
			inWord = true
			i = j
		case c == '|' || c == '&' || c == ';':
			flush()
			op := string(c)
			if i+1 < len(r) && (r[i+1] == c) {
				op += string(c)
				i++
			}
			words = append(words, op)
		case c == '>' || c == '<':
			// 2>&1 and friends: the fd digit is already in cur.
			op := cur.String() + string(c)
			cur.Reset()
			inWord = false
			if i+1 < len(r) && r[i+1] == '>' {
				op += ">"
				i++
			}
			if i+1 < len(r) && r[i+1] == '&' {
				j := i + 2
				for j < len(r) && r[j] >= '0' && r[j] <= '9' {
					j++
				}
				op += string(r[i+1 : j])
				i = j - 1
				words = append(words, op)
				continue
			}
			words = append(words, op)
		default:
			cur.WriteRune(c)
			inWord = true
		}
	}
	flush()
	return words, nil
}

func TestShellWords(t *testing.T) {
	cases := []struct {
		in   string
		want [][]string
	}{
		{`streamsec plan --stack dev --format sarif > out.sarif`, [][]string{{"plan", "--stack", "dev", "--format", "sarif"}}},
		{`set +e; streamsec up --stack "$PR_STACK" --message "${{ github.sha }}" 2>&1 | tee log`, [][]string{{"up", "--stack", "$PR_STACK", "--message", "${{ github.sha }}"}}},
		{`streamsec verify "$(jq -r .publicUrl outputs.json)" --stack prod`, [][]string{{"verify", "$(jq -r .publicUrl outputs.json)", "--stack", "prod"}}},
		{`X=1 streamsec outputs --stack 'a b' && echo done # streamsec nothing`, [][]string{{"outputs", "--stack", "a b"}}},
		{`echo streamsec`, nil},
	}
	for _, c := range cases {
		got, err := streamsecCommands(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%q:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestCheckCommandCatchesRenames shows the check fails on a flag or a
// command that does not exist.
func TestCheckCommandCatchesRenames(t *testing.T) {
	for _, args := range [][]string{
		{"preview", "--stack", "dev", "--no-such-flag"},
		{"ship", "--stack", "dev"},
		{"deploy", "--stack", "dev", "--package-uri", "x"},
		{"destroy", "--remove"}, // --stack is required
	} {
		if _, err := checkCommand(args); err == nil {
			t.Errorf("streamsec %s: accepted", strings.Join(args, " "))
		}
	}
	if _, err := checkCommand([]string{"preview", "--stack", "dev", "--policy-pack", "x", "--color", "never"}); err != nil {
		t.Errorf("valid preview rejected: %v", err)
	}
}

func FuzzStreamsecCommands(f *testing.F) {
	f.Add(`streamsec up --stack "$X" 2>&1 | tee log`)
	f.Add(`a=$(streamsec outputs) && streamsec verify "$(jq -r .u o.json)" > v.xml`)
	f.Add(`echo '${{ x }}' ; streamsec plan >`)
	f.Fuzz(func(t *testing.T, script string) {
		cmds, err := streamsecCommands(script)
		if err != nil {
			return
		}
		for _, c := range cmds {
			for _, w := range c {
				if w == "|" || w == "&&" || w == ";" {
					t.Fatalf("operator %q kept as an argument in %q", w, c)
				}
			}
		}
	})
}
