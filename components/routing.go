package components

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/cdn/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/streamsec/streamsec/internal/spec"
)

// EdgeRoutingArgs wire the Front Door endpoint to the web app.
type EdgeRoutingArgs struct {
	Spec              *spec.Spec
	ResourceGroupName pulumi.StringInput
	ProfileName       pulumi.StringInput
	EndpointName      pulumi.StringInput
	EndpointID        pulumi.StringInput
	WAFPolicyID       pulumi.StringInput
	AppID             pulumi.StringInput
	AppHostName       pulumi.StringInput
	VaultID           pulumi.StringInput
	// CertificateReady are the role assignments Front Door needs before it
	// can read the certificate from Key Vault.
	CertificateReady []pulumi.Resource
}

// EdgeRouting is the origin group and origin, the security-header rule set,
// the custom domain with its certificate, the route and the WAF security
// policy.
type EdgeRouting struct {
	pulumi.ResourceState
	CustomDomainID pulumi.IDOutput
}

// NewEdgeRouting registers everything between the endpoint and the app.
func NewEdgeRouting(ctx *pulumi.Context, name string, args *EdgeRoutingArgs, opts ...pulumi.ResourceOption) (*EdgeRouting, error) {
	c := &EdgeRouting{}
	if err := ctx.RegisterComponentResource(TypeEdgeRouting, name, c, opts...); err != nil {
		return nil, err
	}
	s := args.Spec
	affinity := "Disabled"
	if s.MultiInstance() {
		// Streamlit keeps session state in one process: every request of
		// a session must reach the same instance (WS-NET-02).
		affinity = "Enabled"
	}
	group, err := cdn.NewAFDOriginGroup(ctx, name+"-origin-group", &cdn.AFDOriginGroupArgs{
		ResourceGroupName:    args.ResourceGroupName,
		ProfileName:          args.ProfileName,
		OriginGroupName:      pulumi.String("app"),
		SessionAffinityState: pulumi.String(affinity),
		HealthProbeSettings: &cdn.HealthProbeParametersArgs{
			ProbePath:              pulumi.String(s.HealthCheckPath),
			ProbeProtocol:          cdn.ProbeProtocolHttps,
			ProbeRequestType:       cdn.HealthProbeRequestTypeGET,
			ProbeIntervalInSeconds: pulumi.Int(60),
		},
		LoadBalancingSettings: &cdn.LoadBalancingSettingsParametersArgs{
			SampleSize:                      pulumi.Int(4),
			SuccessfulSamplesRequired:       pulumi.Int(3),
			AdditionalLatencyInMilliseconds: pulumi.Int(50),
		},
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("origin group: %w", err)
	}
	originArgs := &cdn.AFDOriginArgs{
		ResourceGroupName:           args.ResourceGroupName,
		ProfileName:                 args.ProfileName,
		OriginGroupName:             group.Name,
		OriginName:                  pulumi.String("app"),
		HostName:                    args.AppHostName,
		OriginHostHeader:            args.AppHostName,
		EnforceCertificateNameCheck: pulumi.Bool(true),
		HttpPort:                    pulumi.Int(80),
		HttpsPort:                   pulumi.Int(443),
		Priority:                    pulumi.Int(1),
		Weight:                      pulumi.Int(1000),
		EnabledState:                pulumi.String("Enabled"),
	}
	if s.Premium() {
		// Private Link origin: Front Door reaches the app privately; the
		// connection must be approved on the app once (README).
		originArgs.SharedPrivateLinkResource = &cdn.SharedPrivateLinkResourcePropertiesArgs{
			PrivateLink:         &cdn.ResourceReferenceArgs{Id: args.AppID},
			GroupId:             pulumi.String("sites"),
			PrivateLinkLocation: pulumi.String(s.Location),
			RequestMessage:      pulumi.String("streamsec: Front Door " + s.ResourceName("afd")),
		}
	}
	origin, err := cdn.NewAFDOrigin(ctx, name+"-origin", originArgs, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("origin: %w", err)
	}

	ruleSet, err := cdn.NewRuleSet(ctx, name+"-rules", &cdn.RuleSetArgs{
		ResourceGroupName: args.ResourceGroupName,
		ProfileName:       args.ProfileName,
		RuleSetName:       pulumi.String("SecurityHeaders"),
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("rule set: %w", err)
	}
	// A Front Door rule takes at most five actions.
	headers := SecurityHeaders()
	var rules []pulumi.Resource
	for i := 0; i*5 < len(headers); i++ {
		batch := headers[i*5 : min(len(headers), i*5+5)]
		actions := pulumi.Array{}
		for _, h := range batch {
			p := &cdn.HeaderActionParametersArgs{
				TypeName:     pulumi.String("DeliveryRuleHeaderActionParameters"),
				HeaderAction: pulumi.String("Overwrite"),
				HeaderName:   pulumi.String(h.Name),
			}
			if h.Delete {
				p.HeaderAction = pulumi.String("Delete")
			} else {
				p.Value = pulumi.String(h.Value)
			}
			actions = append(actions, &cdn.DeliveryRuleResponseHeaderActionArgs{
				Name:       pulumi.String("ModifyResponseHeader"),
				Parameters: p,
			})
		}
		rule, err := cdn.NewRule(ctx, fmt.Sprintf("%s-headers-%d", name, i+1), &cdn.RuleArgs{
			ResourceGroupName:       args.ResourceGroupName,
			ProfileName:             args.ProfileName,
			RuleSetName:             ruleSet.Name,
			RuleName:                pulumi.Sprintf("SecurityHeaders%d", i+1),
			Order:                   pulumi.Int(i + 1),
			MatchProcessingBehavior: pulumi.String("Continue"),
			Actions:                 actions,
		}, child(c)...)
		if err != nil {
			return nil, fmt.Errorf("rule %d: %w", i+1, err)
		}
		rules = append(rules, rule)
	}
	// The route redirects http to https as well, but its status code is
	// not documented; this rule makes it a 301, the code Microsoft
	// recommends and `streamsec verify` expects (WS-TLS-01).
	redirect, err := cdn.NewRule(ctx, name+"-https-redirect", &cdn.RuleArgs{
		ResourceGroupName:       args.ResourceGroupName,
		ProfileName:             args.ProfileName,
		RuleSetName:             ruleSet.Name,
		RuleName:                pulumi.String("HttpsRedirect"),
		Order:                   pulumi.Int(len(rules) + 1),
		MatchProcessingBehavior: pulumi.String("Stop"),
		Conditions: pulumi.Array{&cdn.DeliveryRuleRequestSchemeConditionArgs{
			Name: pulumi.String("RequestScheme"),
			Parameters: &cdn.RequestSchemeMatchConditionParametersArgs{
				TypeName:    pulumi.String("DeliveryRuleRequestSchemeConditionParameters"),
				Operator:    pulumi.String("Equal"),
				MatchValues: pulumi.StringArray{pulumi.String("HTTP")},
			},
		}},
		Actions: pulumi.Array{&cdn.UrlRedirectActionArgs{
			Name: pulumi.String("UrlRedirect"),
			Parameters: &cdn.UrlRedirectActionParametersArgs{
				TypeName:            pulumi.String("DeliveryRuleUrlRedirectActionParameters"),
				RedirectType:        pulumi.String("Moved"),
				DestinationProtocol: pulumi.String("Https"),
			},
		}},
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("https redirect rule: %w", err)
	}
	rules = append(rules, redirect)

	domains := cdn.ActivatedResourceReferenceArray{}
	policyDomains := cdn.ActivatedResourceReferenceArray{&cdn.ActivatedResourceReferenceArgs{Id: args.EndpointID}}
	if s.Domain != "" {
		domain, err := customDomain(ctx, c, name, args)
		if err != nil {
			return nil, err
		}
		c.CustomDomainID = domain.ID()
		domains = append(domains, &cdn.ActivatedResourceReferenceArgs{Id: domain.ID()})
		policyDomains = append(policyDomains, &cdn.ActivatedResourceReferenceArgs{Id: domain.ID()})
	}

	route, err := cdn.NewRoute(ctx, name+"-route", &cdn.RouteArgs{
		ResourceGroupName: args.ResourceGroupName,
		ProfileName:       args.ProfileName,
		EndpointName:      args.EndpointName,
		RouteName:         pulumi.String("app"),
		OriginGroup:       &cdn.ResourceReferenceArgs{Id: group.ID()},
		CustomDomains:     domains,
		RuleSets:          cdn.ResourceReferenceArray{&cdn.ResourceReferenceArgs{Id: ruleSet.ID()}},
		// Plain http is accepted only to be redirected (WS-TLS-01); Front
		// Door talks to the app over HTTPS only. No cacheConfiguration:
		// caching stays off, which WebSockets need.
		SupportedProtocols:  pulumi.StringArray{pulumi.String("Http"), pulumi.String("Https")},
		HttpsRedirect:       pulumi.String("Enabled"),
		ForwardingProtocol:  pulumi.String("HttpsOnly"),
		LinkToDefaultDomain: pulumi.String("Enabled"),
		PatternsToMatch:     pulumi.StringArray{pulumi.String("/*")},
		EnabledState:        pulumi.String("Enabled"),
	}, child(c, pulumi.DependsOn(append([]pulumi.Resource{origin}, rules...)))...)
	if err != nil {
		return nil, fmt.Errorf("route: %w", err)
	}

	if _, err := cdn.NewSecurityPolicy(ctx, name+"-waf-link", &cdn.SecurityPolicyArgs{
		ResourceGroupName:  args.ResourceGroupName,
		ProfileName:        args.ProfileName,
		SecurityPolicyName: pulumi.String("waf"),
		Parameters: &cdn.SecurityPolicyWebApplicationFirewallParametersArgs{
			Type:      pulumi.String("WebApplicationFirewall"),
			WafPolicy: &cdn.ResourceReferenceArgs{Id: args.WAFPolicyID},
			Associations: cdn.SecurityPolicyWebApplicationFirewallAssociationArray{&cdn.SecurityPolicyWebApplicationFirewallAssociationArgs{
				Domains:         policyDomains,
				PatternsToMatch: pulumi.StringArray{pulumi.String("/*")},
			}},
		},
	}, child(c, pulumi.DependsOn([]pulumi.Resource{route}))...); err != nil {
		return nil, fmt.Errorf("security policy: %w", err)
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"routeId": route.ID()}); err != nil {
		return nil, err
	}
	return c, nil
}

// customDomain registers the domain with TLS 1.2 minimum and its
// certificate: the Key Vault certificate (latest version, so renewals need
// no deploy) or a Front Door managed one.
func customDomain(ctx *pulumi.Context, c *EdgeRouting, name string, args *EdgeRoutingArgs) (*cdn.AFDCustomDomain, error) {
	s := args.Spec
	tls := &cdn.AFDDomainHttpsParametersArgs{
		CertificateType:   pulumi.String("ManagedCertificate"),
		MinimumTlsVersion: cdn.AfdMinimumTlsVersionTLS12,
	}
	if s.CertificateSource == spec.CertificateKeyVault {
		secretSource := pulumi.Sprintf("%s/secrets/%s", args.VaultID, s.CertificateName)
		secret, err := cdn.NewSecret(ctx, name+"-certificate", &cdn.SecretArgs{
			ResourceGroupName: args.ResourceGroupName,
			ProfileName:       args.ProfileName,
			SecretName:        pulumi.String(s.CertificateName),
			Parameters: &cdn.CustomerCertificateParametersArgs{
				Type:             pulumi.String("CustomerCertificate"),
				SecretSource:     &cdn.ResourceReferenceArgs{Id: secretSource},
				UseLatestVersion: pulumi.Bool(true),
			},
		}, child(c, pulumi.DependsOn(args.CertificateReady))...)
		if err != nil {
			return nil, fmt.Errorf("certificate secret: %w", err)
		}
		tls.CertificateType = pulumi.String("CustomerCertificate")
		tls.Secret = &cdn.ResourceReferenceArgs{Id: secret.ID()}
	}
	domain, err := cdn.NewAFDCustomDomain(ctx, name+"-domain", &cdn.AFDCustomDomainArgs{
		ResourceGroupName: args.ResourceGroupName,
		ProfileName:       args.ProfileName,
		CustomDomainName:  pulumi.String(s.ResourceName("domain")),
		HostName:          pulumi.String(s.Domain),
		TlsSettings:       tls,
	}, child(c)...)
	if err != nil {
		return nil, fmt.Errorf("custom domain: %w", err)
	}
	return domain, nil
}
