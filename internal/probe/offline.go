package probe

// ModeOffline marks a run judged on a model of the planned edge
// (`streamsec verify --offline`) rather than against a live target.
const ModeOffline = "offline"

// OriginVariants returns, by probe id, the Origin header each origin
// variant probe sends ("-" for none), so a model can send the same requests.
func (t *Target) OriginVariants() map[string]string {
	out := map[string]string{}
	for _, v := range t.originVariants() {
		out[v.id] = v.origin
	}
	return out
}

// BurstSize is the number of handshakes in the rate-limit burst.
func (t *Target) BurstSize() int { return t.opts.Burst }

// MessageLimit is the message size the oversized frame exceeds.
func (t *Target) MessageLimit() int64 { return t.opts.MessageLimit }

// BurstFor is the rate-limit burst for a stack whose limit is threshold
// handshakes a minute: twice the threshold (at least DefaultBurst), since a
// burst at or under the threshold proves nothing and Front Door documents
// low thresholds as approximate.
func BurstFor(threshold int) int { return max(DefaultBurst, 2*threshold) }

// Banner says what a Server or X-Powered-By value gives away ("" when
// nothing), so a model judges the header exactly as server-header-hidden.
func Banner(v string) string { return banner(v) }
