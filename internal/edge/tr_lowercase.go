package edge

import "strings"

func lowercase(s string) string { return strings.ToLower(s) }
