package edge

import "net/url"

// urlEncode percent-encodes as a query value (space as '+').
func urlEncode(s string) string { return url.QueryEscape(s) }
