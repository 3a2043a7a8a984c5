package edge

import "strings"

// trim drops leading and trailing white space.
func trim(s string) string { return strings.TrimSpace(s) }
