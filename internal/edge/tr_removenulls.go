package edge

import "strings"

func removeNulls(s string) string { return strings.ReplaceAll(s, "\x00", "") }
