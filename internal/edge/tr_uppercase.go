package edge

import "strings"

func uppercase(s string) string { return strings.ToUpper(s) }
