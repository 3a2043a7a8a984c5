// Package edge models what Azure Front Door (Standard/Premium) and the app
// behind it do to one request, so `streamsec verify --offline` and the edge
// policy rules can judge a plan by what the live probes would see.
//
// Where its rules were read (2026-12): Microsoft Learn "Custom rules for
// Azure Web Application Firewall on Azure Front Door" (priority order; "rule
// evaluation stops on any rule action except for Log"; actions Allow, Block,
// Log, Redirect; match variables, operators, negation, transforms; several
// values are ORed, several conditions ANDed), "Policy settings for Web
// Application Firewall in Azure Front Door" (enabled state, Detection only
// logs, custom block status code), "What is rate limiting for Azure Front
// Door?" (per socket IP, one- or five-minute windows, low thresholds
// approximate), "Routing architecture overview" (WAF, then route matching,
// then rule sets, then the origin), "URL redirect" (301/302/307/308), and
// FACTS.md for App Service access restrictions and Streamlit per version.
//
// Managed rule sets (Default Rule Set, Bot Manager) are not modelled: a
// verdict never relies on them, and the evidence says so.
//
// Where the documentation is silent the model evaluates every reading
// (Reading) and a probe passes only when it passes under all of them.
package edge
