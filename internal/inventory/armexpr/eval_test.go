package armexpr

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func env() *Env {
	params := map[string]any{"prefix": "acme", "n": 2.0, "on": true, "cfg": map[string]any{"Tls": "1.2"}, "pw": Secret, "later": Unknown}
	vars := map[string]any{"app": "acme-app"}
	return &Env{
		Parameter: func(name string) (any, error) {
			v, ok := params[name]
			if !ok {
				return nil, errors.New("no parameter " + name)
			}
			return v, nil
		},
		Variable: func(name string) (any, error) {
			v, ok := vars[name]
			if !ok {
				return nil, errors.New("no variable " + name)
			}
			return v, nil
		},
		CopyIndex: func(string) (any, error) { return 1.0, nil },
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		expr string
		want any
	}{
		{"plain text", "plain text"},
		{"[[literal]", "[literal]"},
		{"[parameters('prefix')]", "acme"},
		{"[concat(parameters('prefix'), '-', variables('app'))]", "acme-acme-app"},
		{"[format('{0}/{1}', 'fd', parameters('n'))]", "fd/2"},
		{"[format('{{0}} {0}', 'x')]", "{0} x"},
		{"[format('{0:N2}', 1)]", Unknown},
		{"[resourceId('Microsoft.Cdn/profiles/afdEndpoints', 'fd', 'ep')]", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cdn/profiles/fd/afdEndpoints/ep"},
		{"[resourceId('other-rg', 'Microsoft.Web/sites', 'app')]", "/subscriptions/{subscriptionId}/resourceGroups/other-rg/providers/Microsoft.Web/sites/app"},
		{"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r')]", "/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/r"},
		{"[extensionResourceId(resourceId('Microsoft.Web/sites', 'a'), 'Microsoft.Insights/diagnosticSettings', 'd')]", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/sites/a/providers/Microsoft.Insights/diagnosticSettings/d"},
		{"[resourceGroup().location]", LocationPlaceholder},
		{"[subscription().tenantId]", Unknown},
		{"[parameters('cfg').tls]", "1.2"},
		{"[parameters('cfg')['Tls']]", "1.2"},
		{"[createArray('a', 'b')[copyIndex()]]", "b"},
		{"[if(parameters('on'), 'Enabled', 'Disabled')]", "Enabled"},
		{"[if(parameters('later'), 'Enabled', 'Disabled')]", Unknown},
		{"[if(equals(parameters('prefix'), 'ACME'), 1, 2)]", 1.0},
		{"[toLower(concat('A', 'B'))]", "ab"},
		{"[concat(parameters('prefix'), parameters('later'))]", Unknown},
		{"[concat('x', parameters('pw'))]", Secret},
		{"[concat('x', parameters('pw'), parameters('later'))]", Secret},
		{"[reference(resourceId('Microsoft.Cdn/profiles', 'fd')).frontDoorId]", Unknown},
		{"[listKeys('x', '2022-09-01').keys[0].value]", Unknown},
		{"[uniqueString(resourceGroup().id)]", Unknown},
		{"[my.fn('a')]", Unknown},
		{"[length(createArray(1, 2, 3))]", 3.0},
		{"[empty('')]", true},
		{"[not(bool('false'))]", true},
		{"[string(createObject('a', 1))]", `{"a":1}`},
		{"[replace('a-b', '-', '')]", "ab"},
		{"[split('a/b', '/')[1]]", "b"},
		{"[union(createObject('a', 1), createObject('b', 2))]", map[string]any{"a": 1.0, "b": 2.0}},
		{"[concat(createArray(1), createArray(2))]", []any{1.0, 2.0}},
		{"[add(1, 2)]", 3.0},
		{"[json('{\"a\": true}').a]", true},
		{"[coalesce(null(), 'x')]", "x"},
		{"[substring('hello', 1, 3)]", "ell"},
	}
	for _, tt := range tests {
		got, err := Eval(tt.expr, env())
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s = %#v, %v; want %#v", tt.expr, got, err, tt.want)
		}
	}
}

// Mistakes Azure would refuse are errors, named.
func TestEvalErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"[parameters('nope')]":                          "no parameter nope",
		"[variables('nope')]":                           "no variable nope",
		"[concat('a']":                                  "want ')' to close concat(",
		"[concat('a' 'b')]":                             "want ',' or ')'",
		"['unclosed]":                                   "not closed",
		"[resourceId('Microsoft.Web/sites')]":           "wants at least 2",
		"[resourceId('Microsoft.Web/sites', 'a', 'b')]": "wants 1 names",
		"[format('{1}', 'a')]":                          "has no argument",
		"[createArray(1)[5]]":                           "out of range",
		"[if(1, 2)]":                                    "3 arguments",
		"[foo]":                                         "not a function call",
		"[div(1, 0)]":                                   "by zero",
		"[" + strings.Repeat("concat(", 200) + "'a'" + strings.Repeat(")", 200) + "]": "nested deeper",
	} {
		if _, err := Eval(expr, env()); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", expr, err, want)
		}
	}
}

func FuzzEval(f *testing.F) {
	for _, s := range []string{"[concat('a', parameters('prefix'))]", "[format('{0}', 1)]", "[resourceId('A.B/c', 'x')]", "[createArray(1)[0]]", "[if(true(), 'a', 'b')]", "[[x]", "[a.b('c')]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		Eval(s, env()) // must not panic or hang
	})
}
