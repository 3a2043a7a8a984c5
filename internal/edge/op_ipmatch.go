package edge

import (
	"fmt"
	"net/netip"
	"strings"
)

// IPMatch takes addresses and CIDR ranges (IPv4 and IPv6).
type opIPMatch []netip.Prefix

func newIPMatch(values []string) (operator, error) {
	if err := needValues("IPMatch", values); err != nil {
		return nil, err
	}
	var out opIPMatch
	for _, v := range values {
		v = strings.TrimSpace(v)
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("IPMatch %q: not an IP address or CIDR range", v)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (o opIPMatch) match(in string) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(in))
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range o {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
